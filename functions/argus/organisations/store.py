"""DynamoDB access for organisations and user profiles (the only module here that touches the table)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from argus.organisations.model import (
    ContactChannel,
    Jurisdiction,
    Organisation,
    PrivacyDefaults,
    UserProfile,
)
from argus.platform import keys
from argus.platform.auth.principal import Role
from argus.platform.errors import Conflict
from argus.platform.models import ArgusItem
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page, decode_cursor, encode_cursor


class OrganisationItem(ArgusItem, discriminator="organisation"):
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    timezone = UnicodeAttribute()
    locale = UnicodeAttribute()
    privacy = UnicodeAttribute()  # JSON of PrivacyDefaults
    contacts = UnicodeAttribute()  # JSON list of ContactChannel
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute()


class JurisdictionItem(ArgusItem, discriminator="jurisdiction"):
    boundary = UnicodeAttribute()  # GeoJSON geometry as JSON text (normalised; up to 10,000 positions)
    area_km2 = NumberAttribute()
    bbox = UnicodeAttribute()  # JSON [west, south, east, north]
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()


class SlugItem(ArgusItem, discriminator="slug"):
    org_id = UnicodeAttribute()


class UserItem(ArgusItem, discriminator="user"):
    org_id = UnicodeAttribute()
    sub = UnicodeAttribute()
    display_name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    roles = ListAttribute(of=UnicodeAttribute)
    created_at = UTCDateTimeAttribute()


def _to_item(org: Organisation) -> OrganisationItem:
    return OrganisationItem(
        PK=keys.org_pk(org.id),
        SK=keys.ORG_SK,
        GSI1PK=keys.ORGS_INDEX_PK,
        GSI1SK=org.id,
        org_id=org.id,
        name=org.name,
        slug=org.slug,
        timezone=org.timezone,
        locale=org.locale,
        privacy=org.privacy.model_dump_json(),
        contacts=json.dumps([c.model_dump(mode="json") for c in org.contacts]),
        created_at=org.created_at,
        updated_at=org.updated_at,
        version=org.version,
    )


def _from_item(item: OrganisationItem) -> Organisation:
    return Organisation(
        id=item.org_id,
        name=item.name,
        slug=item.slug,
        timezone=item.timezone,
        locale=item.locale,
        privacy=_privacy(item.privacy),
        contacts=tuple(ContactChannel.model_validate(c) for c in json.loads(item.contacts)),
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version),
    )


def _privacy(stored: str) -> PrivacyDefaults:
    """The stored settings. Items written before locations had a level carry only the on/off switch
    ``generalise_locations``; it is dropped, whatever it said, so they read at the default (safe) level."""
    data = json.loads(stored)
    data.pop("generalise_locations", None)
    return PrivacyDefaults.model_validate(data)


def _slug_item(slug: str, org_id: str) -> SlugItem:
    return SlugItem(PK=keys.slug_pk(slug), SK=keys.SLUG_SK, org_id=org_id)


def get_organisation(org_id: str) -> Organisation | None:
    try:
        return _from_item(OrganisationItem.get(keys.org_pk(org_id), keys.ORG_SK))
    except OrganisationItem.DoesNotExist:
        return None


def get_organisations(org_ids: Sequence[str]) -> dict[str, Organisation]:
    """Batch read (DataLoader backing)."""
    wanted = [(keys.org_pk(o), keys.ORG_SK) for o in dict.fromkeys(org_ids)]
    return {item.org_id: _from_item(item) for item in OrganisationItem.batch_get(wanted)}


def all_organisation_ids() -> Iterator[str]:
    """Every organisation's id (for jobs that run per organisation), in id order."""
    for item in ArgusItem.gsi1.query(keys.ORGS_INDEX_PK):
        if isinstance(item, OrganisationItem):
            yield item.org_id


def add_organisation(uow: UnitOfWork, org: Organisation) -> None:
    uow.put(
        _slug_item(org.slug, org.id),
        condition=SlugItem.PK.does_not_exist(),
        on_condition_failed=Conflict(f"The slug {org.slug!r} is already taken.", details={"field": "slug"}),
    )
    uow.put(
        _to_item(org),
        condition=OrganisationItem.PK.does_not_exist(),
        on_condition_failed=Conflict("This organisation already exists.", details={"field": "orgId"}),
    )


def replace_organisation(uow: UnitOfWork, before: Organisation, after: Organisation) -> None:
    """Write ``after`` if the stored version is still ``before.version``; move the slug if it changed."""
    if after.slug != before.slug:
        uow.put(
            _slug_item(after.slug, after.id),
            condition=SlugItem.PK.does_not_exist(),
            on_condition_failed=Conflict(
                f"The slug {after.slug!r} is already taken.", details={"field": "slug"}
            ),
        )
        uow.delete(_slug_item(before.slug, before.id), condition=SlugItem.org_id == before.id)
    uow.put(
        _to_item(after),
        condition=OrganisationItem.version == before.version,
        on_condition_failed=Conflict(
            "The organisation was changed by someone else; reload and retry.",
            details={"field": "expectedVersion"},
        ),
    )


def _user_to_item(user: UserProfile) -> UserItem:
    staff = any(r in (Role.OFFICER, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN) for r in user.roles)
    primary = sorted(r.value for r in user.roles)[0]
    return UserItem(
        PK=keys.user_pk(user.org_id, user.sub),
        SK=keys.USER_SK,
        GSI1PK=keys.staff_index_pk(user.org_id) if staff else None,
        GSI1SK=keys.staff_index_sk(primary, user.display_name, user.sub) if staff else None,
        org_id=user.org_id,
        sub=user.sub,
        display_name=user.display_name,
        email=user.email,
        roles=[r.value for r in user.roles],
        created_at=user.created_at,
    )


def _user_from_item(item: UserItem) -> UserProfile:
    return UserProfile(
        sub=item.sub,
        org_id=item.org_id,
        display_name=item.display_name,
        email=item.email,
        roles=tuple(Role(str(r)) for r in item.roles),
        created_at=item.created_at,
    )


def add_user(uow: UnitOfWork, user: UserProfile) -> None:
    uow.put(
        _user_to_item(user),
        condition=UserItem.PK.does_not_exist(),
        on_condition_failed=Conflict("This person is already registered.", details={"field": "sub"}),
    )


def remove_user(uow: UnitOfWork, org_id: str, sub: str) -> None:
    """Delete the person's profile (name, email, roles; it leaves the staff list with it), if any."""
    uow.delete(UserItem(PK=keys.user_pk(org_id, sub), SK=keys.USER_SK))


def get_user(org_id: str, sub: str) -> UserProfile | None:
    try:
        return _user_from_item(UserItem.get(keys.user_pk(org_id, sub), keys.USER_SK))
    except UserItem.DoesNotExist:
        return None


def list_staff(org_id: str, first: int, after: str | None) -> Page[UserProfile]:
    pk = keys.staff_index_pk(org_id)
    start = decode_cursor(after, partition_attr="GSI1PK", partition_value=pk)
    results = ArgusItem.gsi1.query(pk, limit=first, last_evaluated_key=start)
    items = [_user_from_item(i) for i in results if isinstance(i, UserItem)]
    cursor = encode_cursor(results.last_evaluated_key)
    return Page(items, cursor, cursor is not None)


def put_jurisdiction(uow: UnitOfWork, org_id: str, jurisdiction: Jurisdiction) -> None:
    uow.put(
        JurisdictionItem(
            PK=keys.org_pk(org_id),
            SK=keys.JURISDICTION_SK,
            boundary=json.dumps(jurisdiction.boundary, separators=(",", ":")),
            area_km2=jurisdiction.area_km2,
            bbox=json.dumps(list(jurisdiction.bbox)),
            updated_at=jurisdiction.updated_at,
            updated_by=jurisdiction.updated_by,
        )
    )


def remove_jurisdiction(uow: UnitOfWork, org_id: str) -> None:
    uow.delete(JurisdictionItem(PK=keys.org_pk(org_id), SK=keys.JURISDICTION_SK))


def get_jurisdiction(org_id: str) -> Jurisdiction | None:
    try:
        item = JurisdictionItem.get(keys.org_pk(org_id), keys.JURISDICTION_SK)
    except JurisdictionItem.DoesNotExist:
        return None
    west, south, east, north = json.loads(item.bbox)
    return Jurisdiction(
        boundary=json.loads(item.boundary),
        area_km2=float(item.area_km2),
        bbox=(west, south, east, north),
        updated_at=item.updated_at,
        updated_by=item.updated_by,
    )
