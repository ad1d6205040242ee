"""Members and households: enrolment (self sign-up with captain approval, or added by a captain),
approval, contact preferences with recorded consent, and leaving with erasure of personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from argus.organisations.events import PERSON_ERASURE_REQUESTED
from argus.platform import clock
from argus.platform.auth.principal import Principal
from argus.platform.cloudevents import CloudEvent
from argus.platform.errors import BadUserInput, Forbidden, NotFound
from argus.platform.ids import new_id
from argus.platform.observability import logger
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page, page_size
from argus.platform.validation import DomainModel, validated
from argus.watch import events
from argus.watch.model import (
    Address,
    Block,
    CaptainTask,
    Channels,
    Consent,
    ContactPreference,
    ContactPreferenceInput,
    GroupStatus,
    Household,
    Member,
    MemberStatus,
    Name,
    TaskKind,
    WatchGroup,
)
from argus.watch.service.access import captains_block, is_staff, require_block_manager, require_participant
from argus.watch.store import captains as captain_store
from argus.watch.store import groups as group_store
from argus.watch.store import people as store

ERASED_NAME = "Former member"
# Who erases a person's memberships when their erasure is requested (the actor of member-left).
ERASER = "system:erasure"


class EnrolmentInput(DomainModel):
    group_id: str = Field(min_length=1, max_length=64)
    block_id: str = Field(min_length=1, max_length=64)
    display_name: Name
    household_id: str | None = Field(default=None, max_length=64)
    address: Address | None = None
    channels: Channels = Field(default_factory=list)

    @model_validator(mode="after")
    def _household(self) -> EnrolmentInput:
        if (self.household_id is None) == (self.address is None):
            raise ValueError("give either an existing householdId or the address of a new household")
        return self


def preferences(channels: list[ContactPreferenceInput], moment: datetime) -> tuple[ContactPreference, ...]:
    return tuple(
        ContactPreference(
            channel=c.channel,
            address=c.address,
            enabled=c.enabled,
            consent=Consent(given_at=moment, wording=c.consent_wording) if c.consent_wording else None,
        )
        for c in channels
    )


def open_group_and_block(principal: Principal, group_id: str, block_id: str) -> tuple[WatchGroup, Block]:
    group = group_store.require_group(principal.org_id, group_id)
    if group.status == GroupStatus.CLOSED:
        raise BadUserInput(
            "The group is closed to new members.", details={"field": "groupId", "reason": "group_closed"}
        )
    return group, group_store.require_block(principal.org_id, group_id, block_id)


def _enrol(principal: Principal, request: EnrolmentInput, *, sub: str | None, active: bool) -> Member:
    group, block = open_group_and_block(principal, request.group_id, request.block_id)
    moment = clock.now()
    org = principal.org_id
    uow = UnitOfWork()
    new_household = request.household_id is None
    if new_household:
        household = Household(
            id=new_id(), group_id=group.id, block_id=block.id, address=request.address, members=1
        )
        store.add_household(uow, org, household)
    else:
        household = store.require_household(org, group.id, block.id, request.household_id or "")
        store.join_household(uow, org, household)
    member = Member(
        id=new_id(),
        group_id=group.id,
        block_id=block.id,
        household_id=household.id,
        sub=sub,
        display_name=request.display_name,
        status=MemberStatus.ACTIVE if active else MemberStatus.PENDING,
        channels=preferences(request.channels, moment),
        joined_at=moment,
        approved_by=principal.sub if active else None,
        approved_at=moment if active else None,
    )
    store.add_member(uow, org, member)
    counted = {"members": 1, "joined_total": 1} if active else {"pending": 1}
    households = {"households": 1} if new_household else {}
    group_store.bump_group(uow, org, group.id, {**counted, **households}, closed_check=True)
    group_store.bump_block(uow, org, group.id, block.id, **counted_for_block(counted), **households)
    if block.captain_sub:
        figures = {"members": 1, "members_added": 1} if active else {"pending": 1}
        captain_store.bump_figures(uow, org, block.captain_sub, **figures, **households)
        if not active:
            captain_store.add_task(uow, org, approval_task(member.id, block.captain_sub, block, moment))
    uow.emit(
        events.member_event(
            events.MEMBER_ENROLLED,
            org_id=org,
            member=member,
            actor=principal.sub,
            status=member.status.value,
        )
    )
    uow.commit()
    return member


def approval_task(member_id: str, captain_sub: str, block: Block, moment: datetime) -> CaptainTask:
    """The captain's task to approve one enrolment in their block. It names no one: tasks must not
    outlive an erasure, and the roster shows who it is."""
    return CaptainTask(
        id=member_id,
        captain_sub=captain_sub,
        group_id=block.group_id,
        block_id=block.id,
        kind=TaskKind.APPROVE_ENROLMENT,
        title=f"Approve an enrolment for {block.name}",
        member_id=member_id,
        created_at=moment,
    )


def counted_for_block(counted: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counted.items() if k in ("members", "pending")}


def enrol(principal: Principal, enrolment_input: dict[str, Any]) -> Member:
    """Self sign-up: the person joins as pending until the block's captain (or an officer) approves.
    Raises Forbidden for analysts and partner systems, Conflict when they are already enrolled,
    BadUserInput for a closed group or bad input."""
    require_participant(principal)
    return _enrol(principal, validated(EnrolmentInput, enrolment_input), sub=principal.sub, active=False)


def add_member(
    principal: Principal, enrolment_input: dict[str, Any], member_sub: str | None = None
) -> Member:
    """A captain (of that block) or an officer adds a household member directly; they are active at once."""
    request = validated(EnrolmentInput, enrolment_input)
    block = group_store.require_block(principal.org_id, request.group_id, request.block_id)
    require_block_manager(principal, block)
    return _enrol(principal, request, sub=member_sub, active=True)


def _require_member(principal: Principal, group_id: str, block_id: str, member_id: str) -> Member:
    member = store.get_member(principal.org_id, group_id, block_id, member_id)
    if member is None:
        raise NotFound("No such member.", details={"field": "memberId"})
    return member


def approve(principal: Principal, group_id: str, block_id: str, member_id: str) -> Member:
    """The block's captain (or an officer) approves a pending enrolment."""
    block = group_store.require_block(principal.org_id, group_id, block_id)
    require_block_manager(principal, block)
    member = _require_member(principal, group_id, block_id, member_id)
    if member.status != MemberStatus.PENDING:
        raise BadUserInput(
            "Only a pending enrolment can be approved.",
            details={"field": "memberId", "reason": "not_pending"},
        )
    moment = clock.now()
    after = member.model_copy(
        update={"status": MemberStatus.ACTIVE, "approved_by": principal.sub, "approved_at": moment}
    )
    org = principal.org_id
    uow = UnitOfWork()
    store.replace_member(uow, org, member, after)
    group_store.bump_group(uow, org, group_id, {"members": 1, "pending": -1, "joined_total": 1})
    group_store.bump_block(uow, org, group_id, block_id, members=1, pending=-1)
    if block.captain_sub:
        waited_hours = (moment - member.joined_at).total_seconds() / 3600
        captain_store.bump_figures(
            uow,
            org,
            block.captain_sub,
            members=1,
            pending=-1,
            members_added=1,
            approvals=1,
            approval_hours_total=round(waited_hours, 3),
        )
        captain_store.remove_task(uow, org, block.captain_sub, member.id)
    uow.emit(events.member_event(events.MEMBER_APPROVED, org_id=org, member=member, actor=principal.sub))
    uow.commit()
    return after


def _erase(org: str, actor: str, member: Member, block: Block) -> Member:
    """Remove the member's personal data (name, contacts, the household address when they were its last
    member) while the group's aggregate counts keep their contribution (``left_total``)."""
    household = store.require_household(org, member.group_id, member.block_id, member.household_id)
    erased = member.model_copy(
        update={"sub": None, "display_name": ERASED_NAME, "status": MemberStatus.LEFT, "channels": ()}
    )
    was_active = member.status == MemberStatus.ACTIVE
    uow = UnitOfWork()
    store.replace_member(uow, org, member, erased)
    if member.sub is not None:
        store.remove_membership(uow, org, member.sub, member.group_id)
    emptied = store.leave_household(uow, org, household)
    counted = {"members": -1} if was_active else {"pending": -1}
    households = {"households": -1} if emptied else {}
    # Only people who had joined count as having left; a withdrawn application is not a departure.
    left = {"left_total": 1} if was_active else {}
    group_store.bump_group(uow, org, member.group_id, {**left, **counted, **households})
    group_store.bump_block(uow, org, member.group_id, member.block_id, **counted, **households)
    if block.captain_sub:
        captain_store.bump_figures(uow, org, block.captain_sub, **counted, **households)
        if not was_active:
            captain_store.remove_task(uow, org, block.captain_sub, member.id)
    uow.emit(
        events.member_event(
            events.MEMBER_LEFT,
            org_id=org,
            member=member,
            actor=actor,
        )
    )
    uow.commit()
    return erased


def leave(principal: Principal, group_id: str) -> Member:
    """The person leaves the group; their personal data is erased."""
    membership = store.membership_of(principal.org_id, principal.sub, group_id)
    if membership is None:
        raise NotFound("You are not a member of this group.", details={"field": "groupId"})
    member = _require_member(principal, group_id, membership.block_id, membership.member_id)
    block = group_store.require_block(principal.org_id, group_id, membership.block_id)
    return _erase(principal.org_id, principal.sub, member, block)


def remove(principal: Principal, group_id: str, block_id: str, member_id: str) -> Member:
    """The block's captain or an officer removes a member; their personal data is erased."""
    block = group_store.require_block(principal.org_id, group_id, block_id)
    require_block_manager(principal, block)
    member = _require_member(principal, group_id, block_id, member_id)
    if member.status == MemberStatus.LEFT:
        raise BadUserInput(
            "This member has already left.", details={"field": "memberId", "reason": "already_left"}
        )
    return _erase(principal.org_id, principal.sub, member, block)


def erase_person(org_id: str, sub: str) -> int:
    """The person's erasure: every group membership they hold is erased as if they had left (each in a
    transaction of its own; an erased one is no longer among their memberships, so running again
    finishes the rest). Returns how many."""
    erased = 0
    for membership in store.memberships(org_id, sub):
        member = store.get_member(org_id, membership.group_id, membership.block_id, membership.member_id)
        if member is None or member.status == MemberStatus.LEFT:
            uow = UnitOfWork()  # a membership left pointing at nothing
            store.remove_membership(uow, org_id, sub, membership.group_id)
            uow.commit()
            continue
        block = group_store.require_block(org_id, membership.group_id, membership.block_id)
        _erase(org_id, ERASER, member, block)
        erased += 1
    return erased


def erase_on_request(event: CloudEvent, uow: UnitOfWork) -> None:
    """Consumer of person-erasure-requested (``watch-erasure``): erase the person's memberships."""
    if event.get_type() != PERSON_ERASURE_REQUESTED:
        return
    data = event.get_data()
    assert isinstance(data, dict)
    erased = erase_person(event.get_extension("orgid"), data["person"])
    logger.info("memberships erased", extra={"memberships": erased})


def block_roster(
    principal: Principal, group_id: str, block_id: str, first: int | None, after: str | None
) -> Page[Member]:
    """A block's roster: its captain and staff only."""
    block = group_store.require_block(principal.org_id, group_id, block_id)
    if not (captains_block(principal, block) or is_staff(principal)):
        raise Forbidden("Only this block's captain or staff may see its roster.")
    return store.block_roster(principal.org_id, group_id, block_id, page_size(first), after)


def my_memberships(principal: Principal) -> list[Member]:
    found = []
    for membership in store.memberships(principal.org_id, principal.sub):
        member = store.get_member(
            principal.org_id, membership.group_id, membership.block_id, membership.member_id
        )
        if member is not None:
            found.append(member)
    return found


class ChannelsInput(DomainModel):
    channels: Channels


def update_my_channels(principal: Principal, group_id: str, channels_input: list[dict[str, Any]]) -> Member:
    """A member sets how the group reaches them; each enabled channel records the consent wording
    and when it was given (the whole list replaces the previous one)."""
    request = validated(ChannelsInput, {"channels": channels_input})
    membership = store.membership_of(principal.org_id, principal.sub, group_id)
    if membership is None:
        raise NotFound("You are not a member of this group.", details={"field": "groupId"})
    member = _require_member(principal, group_id, membership.block_id, membership.member_id)
    after = member.model_copy(update={"channels": preferences(request.channels, clock.now())})
    uow = UnitOfWork()
    store.replace_member(uow, principal.org_id, member, after)
    uow.commit()
    return after
