"""GraphQL types, queries, mutations and subscriptions of the organisations domain."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from strawberry.types import Info

from argus.api.context import principal_of
from argus.api.inputs import plain
from argus.api.live import LiveEvent, get_broker
from argus.api.permissions import requires
from argus.api.relay import Connection, connection
from argus.organisations import service
from argus.organisations.events import ORGANISATION_CREATED, ORGANISATION_UPDATED
from argus.organisations.model import ContactKind as ContactKindModel
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


@strawberry.type
class PrivacyDefaults:
    min_cell_size: int = strawberry.field(
        description="Published statistics suppress cells with fewer records."
    )
    generalise_locations: bool
    publication_delay_days: int


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
    generalise_locations: bool = True
    publication_delay_days: int = 30


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
        extensions=requires(*service.STAFF_VIEWERS), description="Staff of the caller's organisation."
    )
    def staff(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[UserProfile]:
        viewer = principal_of(info)
        return connection(
            service.list_staff(viewer, first, after), lambda user: UserProfile.from_model(user, viewer)
        )


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


ORGANISATION_EVENT_TYPES = (ORGANISATION_CREATED, ORGANISATION_UPDATED)


@strawberry.type
class Subscription:
    @strawberry.subscription(extensions=requires(), description="Changes to the caller's organisation, live.")
    async def organisation_events(self, info: Info) -> AsyncGenerator[LiveEvent, None]:
        org_id = principal_of(info).org_id
        events = get_broker().subscribe(
            lambda e: e.get_extension("orgid") == org_id and e.get_type() in ORGANISATION_EVENT_TYPES
        )
        async for event in events:
            yield LiveEvent.from_cloudevent(event)
