"""Use cases of the organisations domain. Every function takes the verified principal; the
organisation is always the principal's own."""

from __future__ import annotations

from typing import Any

from argus.organisations import events, store
from argus.organisations.model import (
    Organisation,
    OrganisationChanges,
    OrganisationDraft,
    PrivacyDefaults,
    StaffDraft,
    UserProfile,
)
from argus.platform import clock
from argus.platform.auth.principal import Principal, Role
from argus.platform.errors import Conflict, Forbidden, NotFound
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page, page_size
from argus.platform.validation import validated

STAFF_VIEWERS = (Role.OFFICER, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN)


def _require(principal: Principal, *roles: Role) -> None:
    if not principal.has_any_role(*roles):
        raise Forbidden("You do not have a role that allows this.")


def create_organisation(principal: Principal, draft_input: dict[str, Any]) -> Organisation:
    """Create the principal's organisation. Raises BadUserInput, Conflict (exists / slug taken)."""
    _require(principal, Role.ADMIN)
    draft = validated(OrganisationDraft, draft_input)
    moment = clock.now()
    org = Organisation(
        id=principal.org_id,
        created_at=moment,
        updated_at=moment,
        version=1,
        **draft.model_dump(),
    )
    uow = UnitOfWork()
    store.add_organisation(uow, org)
    uow.emit(events.organisation_created(org, actor=principal.sub))
    uow.commit()
    return org


def update_organisation(principal: Principal, changes_input: dict[str, Any]) -> Organisation:
    """Apply a partial update. Raises NotFound, BadUserInput, Conflict (slug taken / stale version)."""
    _require(principal, Role.ADMIN)
    changes = validated(OrganisationChanges, changes_input)
    before = store.get_organisation(principal.org_id)
    if before is None:
        raise NotFound("Your organisation has not been set up yet.")
    if changes.expected_version is not None and changes.expected_version != before.version:
        raise Conflict(
            "The organisation was changed by someone else; reload and retry.",
            details={"field": "expectedVersion"},
        )
    requested = [
        k for k in changes.model_fields_set if k != "expected_version" and getattr(changes, k) is not None
    ]
    changed = sorted(k for k in requested if getattr(before, k) != getattr(changes, k))
    if not changed:
        return before
    after = before.model_copy(
        update={
            **{k: getattr(changes, k) for k in changed},
            "updated_at": clock.now(),
            "version": before.version + 1,
        }
    )
    uow = UnitOfWork()
    store.replace_organisation(uow, before, after)
    uow.emit(events.organisation_updated(after, changed=changed, actor=principal.sub))
    uow.commit()
    return after


def my_organisation(principal: Principal) -> Organisation:
    org = store.get_organisation(principal.org_id)
    if org is None:
        raise NotFound("Your organisation has not been set up yet.")
    return org


def privacy_of(org_id: str) -> PrivacyDefaults:
    """The organisation's privacy settings, for the domains that publish its data; the defaults when the
    organisation is not set up (nothing is published more openly than a new organisation would)."""
    org = store.get_organisation(org_id)
    return org.privacy if org is not None else PrivacyDefaults()


def add_staff_member(principal: Principal, draft_input: dict[str, Any]) -> UserProfile:
    """Register a person in the principal's organisation with their roles (admins only)."""
    _require(principal, Role.ADMIN)
    draft = validated(StaffDraft, draft_input)
    user = UserProfile(org_id=principal.org_id, created_at=clock.now(), **draft.model_dump())
    uow = UnitOfWork()
    store.add_user(uow, user)
    uow.commit()
    return user


def list_staff(principal: Principal, first: int | None, after: str | None) -> Page[UserProfile]:
    _require(principal, *STAFF_VIEWERS)
    return store.list_staff(principal.org_id, page_size(first), after)


def my_profile(principal: Principal) -> UserProfile | None:
    return store.get_user(principal.org_id, principal.sub)
