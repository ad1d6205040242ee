"""GraphQL types, queries, mutations and subscriptions of the organisations domain."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from argus.api.context import principal_of
from argus.api.cost import cost
from argus.api.inputs import plain
from argus.api.live import LiveEvent, follow
from argus.api.permissions import requires
from argus.api.relay import Connection, connection
from argus.organisations import erasure, jurisdiction, service
from argus.organisations.events import ORGANISATION_CREATED, ORGANISATION_UPDATED
from argus.organisations.model import ContactKind as ContactKindModel
from argus.organisations.model import Jurisdiction as JurisdictionModel
from argus.organisations.model import Organisation as OrganisationModel
from argus.organisations.model import UserProfile as UserProfileModel
from argus.platform.auth.principal import Principal
from argus.platform.auth.principal import Role as RoleModel

# Registered in place: the domain enums are the GraphQL enums.
strawberry.enum(RoleModel, name="Role")
strawberry.enum(ContactKindModel, name="ContactKind")


@strawberry.type
class ContactChannel:
    kind: ContactKindModel
    value: str
    label: str | None


@strawberry.type(
    description="How incidents are published below staff (residents, members, captains, partners); "
    "staff see exact records."
)
class PrivacyDefaults:
    min_cell_size: int = strawberry.field(
        description="Every published group (cell, month, category) counts at least this many records; "
        "smaller groups roll up to coarser cells, and what is still smaller is withheld."
    )
    location_resolution: int = strawberry.field(
        description="The H3 resolution locations are generalised to: 8 (about 0.74 km²) to 5 (about 250 km²)."
    )
    publication_delay_days: int = strawberry.field(
        description="Records are published this many days after the end of the month they were reported in."
    )
    generalise_locations: bool = strawberry.field(
        deprecation_reason="Always true: locations are always generalised below staff (locationResolution)."
    )


@strawberry.type(
    description="The area the organisation polices; crime pattern runs analyse it (without one, the "
    "union of the organisation's watch groups)."
)
class Jurisdiction:
    boundary: JSON = strawberry.field(description="A GeoJSON Polygon or MultiPolygon (RFC 7946).")
    area_km2: float
    bbox: list[float] = strawberry.field(description="West, south, east, north.")
    updated_at: datetime

    @classmethod
    def from_model(cls, found: JurisdictionModel) -> Jurisdiction:
        return cls(
            boundary=cast(JSON, found.boundary),
            area_km2=found.area_km2,
            bbox=list(found.bbox),
            updated_at=found.updated_at,
        )


@strawberry.type
class Organisation:
    id: strawberry.ID
    name: str
    slug: str
    timezone: str
    locale: str
    privacy: PrivacyDefaults
    contacts: list[ContactChannel]
    created_at: datetime
    updated_at: datetime
    version: int

    @strawberry.field(description="The area the organisation polices, if an administrator has set it.")
    def jurisdiction(self, info: Info) -> Jurisdiction | None:
        found = jurisdiction.jurisdiction_of(principal_of(info))
        return Jurisdiction.from_model(found) if found else None

    @classmethod
    def from_model(cls, org: OrganisationModel) -> Organisation:
        return cls(
            id=strawberry.ID(org.id),
            name=org.name,
            slug=org.slug,
            timezone=org.timezone,
            locale=org.locale,
            privacy=PrivacyDefaults(**org.privacy.model_dump()),
            contacts=[ContactChannel(kind=c.kind, value=c.value, label=c.label) for c in org.contacts],
            created_at=org.created_at,
            updated_at=org.updated_at,
            version=org.version,
        )


@strawberry.type
class UserProfile:
    sub: strawberry.ID
    display_name: str
    email: str | None = strawberry.field(description="Shown to the person themselves and to staff.")
    roles: list[RoleModel]
    created_at: datetime
    org_id: strawberry.Private[str]

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation | None:
        org = await info.context.loaders.organisation.load(self.org_id)
        return Organisation.from_model(org) if org else None

    @classmethod
    def from_model(cls, user: UserProfileModel, viewer: Principal) -> UserProfile:
        """The profile as ``viewer`` may see it: contact details for the person and for staff only."""
        return cls(
            sub=strawberry.ID(user.sub),
            display_name=user.display_name,
            email=user.email if viewer.sub == user.sub or viewer.is_staff else None,
            roles=list(user.roles),
            created_at=user.created_at,
            org_id=user.org_id,
        )


@strawberry.type(description="The caller as the verified token presents them.")
class Me:
    sub: strawberry.ID
    org_id: strawberry.ID
    roles: list[RoleModel]
    profile: UserProfile | None


@strawberry.input
class ContactChannelInput:
    kind: ContactKindModel
    value: str
    label: str | None = None


@strawberry.input
class PrivacyDefaultsInput:
    min_cell_size: int = 10
    location_resolution: int = 8
    publication_delay_days: int = 30
    generalise_locations: bool = strawberry.field(
        default=True,
        deprecation_reason="Locations are always generalised below staff; false is refused "
        "(BAD_USER_INPUT). Use locationResolution.",
    )


@strawberry.input
class CreateOrganisationInput:
    name: str
    slug: str
    timezone: str = "Europe/London"
    locale: str = "en-GB"
    privacy: PrivacyDefaultsInput | None = strawberry.UNSET
    contacts: list[ContactChannelInput] | None = strawberry.UNSET


@strawberry.input
class UpdateOrganisationInput:
    name: str | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    locale: str | None = strawberry.UNSET
    privacy: PrivacyDefaultsInput | None = strawberry.UNSET
    contacts: list[ContactChannelInput] | None = strawberry.UNSET
    expected_version: int | None = strawberry.UNSET


@strawberry.input
class AddStaffMemberInput:
    sub: str
    display_name: str
    email: str | None = None
    roles: list[RoleModel]


@strawberry.type
class Query:
    @strawberry.field(extensions=requires(), description="The caller's organisation.")
    def organisation(self, info: Info) -> Organisation:
        return Organisation.from_model(service.my_organisation(principal_of(info)))

    @strawberry.field(extensions=requires(), description="The caller and their profile.")
    def me(self, info: Info) -> Me:
        principal = principal_of(info)
        profile = service.my_profile(principal)
        return Me(
            sub=strawberry.ID(principal.sub),
            org_id=strawberry.ID(principal.org_id),
            roles=sorted(principal.roles),
            profile=UserProfile.from_model(profile, principal) if profile else None,
        )

    @strawberry.field(
        extensions=[*requires(*service.STAFF_VIEWERS), cost(1, paged_by="first")],
        description="Staff of the caller's organisation.",
    )
    def staff(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[UserProfile]:
        viewer = principal_of(info)
        return connection(
            service.list_staff(viewer, first, after), lambda user: UserProfile.from_model(user, viewer)
        )


@strawberry.type(description="An erasure under way: kept records now name the person by the pseudonym.")
class PersonErasure:
    pseudonym: str
    requested_at: datetime


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires(RoleModel.ADMIN))
    def create_organisation(self, info: Info, input: CreateOrganisationInput) -> Organisation:
        return Organisation.from_model(service.create_organisation(principal_of(info), plain(input)))

    @strawberry.mutation(extensions=requires(RoleModel.ADMIN))
    def update_organisation(self, info: Info, input: UpdateOrganisationInput) -> Organisation:
        return Organisation.from_model(service.update_organisation(principal_of(info), plain(input)))

    @strawberry.mutation(extensions=requires(RoleModel.ADMIN))
    def add_staff_member(self, info: Info, input: AddStaffMemberInput) -> UserProfile:
        viewer = principal_of(info)
        return UserProfile.from_model(service.add_staff_member(viewer, plain(input)), viewer)

    @strawberry.mutation(
        extensions=requires(RoleModel.ADMIN),
        description="Set the organisation's jurisdiction (a GeoJSON Polygon or MultiPolygon, validated as a "
        "watch group's boundary), or clear it with null.",
    )
    def set_jurisdiction(self, info: Info, boundary: JSON | None) -> Jurisdiction | None:
        found = jurisdiction.set_jurisdiction(principal_of(info), boundary)
        return Jurisdiction.from_model(found) if found else None

    @strawberry.mutation(
        extensions=requires(RoleModel.ADMIN),
        description="Erase a person's data across the organisation (see docs/retention.md for what "
        "is erased, what is pseudonymised and what is kept).",
    )
    def erase_person(self, info: Info, sub: strawberry.ID) -> PersonErasure:
        done = erasure.erase_person(principal_of(info), str(sub))
        return PersonErasure(pseudonym=done.pseudonym, requested_at=done.requested_at)


ORGANISATION_EVENT_TYPES = (ORGANISATION_CREATED, ORGANISATION_UPDATED)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        extensions=requires(),
        description="Changes to the caller's organisation, live; ends when the token expires.",
    )
    async def organisation_events(self, info: Info) -> AsyncGenerator[LiveEvent, None]:
        principal = principal_of(info)
        org_id = principal.org_id
        events = follow(
            principal,
            lambda e: e.get_extension("orgid") == org_id and e.get_type() in ORGANISATION_EVENT_TYPES,
        )
        async for event in events:
            yield LiveEvent.from_cloudevent(event)
