"""Block captains: assignment, the captain hub, activity logging, peer mentoring and performance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import Field

from argus.platform import clock
from argus.platform.auth.principal import Principal, Role
from argus.platform.errors import BadUserInput, Conflict, Forbidden
from argus.platform.ids import new_id
from argus.platform.keys import watch as keys
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page, decode_part_cursor, encode_part_cursor, page_size
from argus.platform.validation import DomainModel, validated
from argus.watch import events
from argus.watch.model import (
    MAX_HOURS_PER_ACTIVITY,
    Activity,
    ActivityKind,
    Assignment,
    CaptainFigures,
    CaptainTask,
    GroupStatus,
    Member,
    MentorLink,
)
from argus.watch.service.access import STAFF, require_group_details, require_manager
from argus.watch.service.members import approval_task
from argus.watch.store import captains as store
from argus.watch.store import groups as group_store
from argus.watch.store import people

RECENT_ACTIVITY = 10
# Each handed-over approval moves one task (two writes) in the assignment's transaction.
MAX_PENDING_HANDOVER = 40


class ActivityInput(DomainModel):
    group_id: str = Field(min_length=1, max_length=64)
    block_id: str | None = Field(default=None, max_length=64)
    kind: ActivityKind
    hours: float = Field(ge=0.01, le=MAX_HOURS_PER_ACTIVITY)
    occurred_on: date
    note: str | None = Field(default=None, max_length=1000)


def assign_captain(principal: Principal, group_id: str, block_id: str, captain_sub: str) -> Assignment:
    """An officer or coordinator makes ``captain_sub`` the captain of a block (replacing any previous
    captain, whose figures for the block move with it)."""
    require_manager(principal)
    if not captain_sub or len(captain_sub) > 128:
        raise BadUserInput("captainSub is required.", details={"field": "captainSub"})
    group = group_store.require_group(principal.org_id, group_id)
    if group.status == GroupStatus.CLOSED:
        raise BadUserInput("The group is closed.", details={"field": "groupId", "reason": "group_closed"})
    block = group_store.require_block(principal.org_id, group_id, block_id)
    if block.captain_sub == captain_sub:
        raise BadUserInput("This person already captains the block.", details={"field": "captainSub"})
    org = principal.org_id
    moment = clock.now()
    assignment = Assignment(
        captain_sub=captain_sub,
        group_id=group_id,
        block_id=block_id,
        block_name=block.name,
        assigned_at=moment,
    )
    carried = {"households": block.households, "members": block.members, "pending": block.pending}
    pending = people.pending_in_block(org, group_id, block_id)
    if len(pending) > MAX_PENDING_HANDOVER:
        raise Conflict(
            f"The block has {len(pending)} enrolments waiting; approve or remove some before changing "
            f"captain (at most {MAX_PENDING_HANDOVER} can be handed over at once).",
            details={"field": "blockId", "reason": "too_many_pending"},
        )
    uow = UnitOfWork()
    # The new captain takes over the approvals waiting in the block.
    for member in pending:
        store.add_task(uow, org, approval_task(member.id, captain_sub, block, moment))
        if block.captain_sub:
            store.remove_task(uow, org, block.captain_sub, member.id)
    group_store.set_block_captain(uow, org, block, captain_sub)
    store.add_assignment(uow, org, assignment)
    store.bump_figures(uow, org, captain_sub, **carried)
    if block.captain_sub:
        store.remove_assignment(uow, org, block.captain_sub, group_id, block_id)
        store.bump_figures(uow, org, block.captain_sub, **{k: -v for k, v in carried.items()})
    else:
        group_store.bump_group(uow, org, group_id, {"captains": 1})
    uow.emit(
        events.watch_event(
            events.CAPTAIN_ASSIGNED,
            org_id=org,
            group_id=group_id,
            actor=principal.sub,
            blockId=block_id,
            captain=captain_sub,
            previousCaptain=block.captain_sub,
        )
    )
    uow.commit()
    return assignment


@dataclass(frozen=True)
class CaptainHub:
    captain_sub: str
    assignments: list[Assignment]
    figures: CaptainFigures
    roster: Page[Member]
    roster_block_id: str | None
    recent_activity: list[Activity]
    open_tasks: list[CaptainTask]
    mentors: list[MentorLink]
    mentees: list[MentorLink]


def captain_hub(principal: Principal, first: int | None, after: str | None) -> CaptainHub:
    """Everything a captain needs in one round trip, in three DynamoDB queries whatever the roster size:
    their partition (blocks, figures, open tasks, mentoring), one page of one block's roster, and their
    recent activity. The roster pages through the captain's blocks in turn."""
    if not principal.has_any_role(Role.CAPTAIN):
        raise Forbidden("The captain hub is for block captains.")
    org = principal.org_id
    partition = store.read_partition(org, principal.sub)
    assignments = sorted(partition.assignments, key=lambda a: (a.group_id, a.block_id))
    size = page_size(first)
    roster: Page[Member] = Page([], None, False)
    roster_block: str | None = None
    if assignments:
        parts = {f"{a.group_id}/{a.block_id}": a for a in assignments}
        allowed = {part: ("PK", keys.group_pk(org, a.group_id)) for part, a in parts.items()}
        part, start = decode_part_cursor(after, allowed=allowed) if after else (next(iter(parts)), None)
        current = parts[part]
        members, last = people.roster_page(org, current.group_id, current.block_id, size, start)
        order = list(parts)
        following = order[order.index(part) + 1] if order.index(part) + 1 < len(order) else None
        cursor: str | None = None
        if last is not None:
            cursor = encode_part_cursor(part, last)
        elif following is not None:
            cursor = encode_part_cursor(following, None)
        roster = Page(members, cursor, cursor is not None)
        roster_block = current.block_id
    recent = store.recent_activities(org, principal.sub, RECENT_ACTIVITY)
    return CaptainHub(
        principal.sub,
        assignments,
        partition.figures,
        roster,
        roster_block,
        recent,
        sorted(partition.tasks, key=lambda t: t.created_at),
        partition.mentors,
        partition.mentees,
    )


def log_activity(principal: Principal, activity_input: dict[str, Any]) -> Activity:
    """A captain logs an activity (patrol, door-knock, meeting…) with hours, in a group they captain."""
    if not principal.has_any_role(Role.CAPTAIN):
        raise Forbidden("Only block captains log activities.")
    request = validated(ActivityInput, activity_input)
    today = clock.now().date()
    if request.occurred_on > today + timedelta(days=1):
        raise BadUserInput("An activity cannot be in the future.", details={"field": "occurredOn"})
    partition = store.read_partition(principal.org_id, principal.sub)
    mine = [a for a in partition.assignments if a.group_id == request.group_id]
    if not mine or (request.block_id and request.block_id not in {a.block_id for a in mine}):
        raise Forbidden("You can log activities only for blocks you captain.")
    activity = Activity(
        id=new_id(),
        captain_sub=principal.sub,
        group_id=request.group_id,
        block_id=request.block_id,
        kind=request.kind,
        hours=round(request.hours, 2),
        occurred_on=request.occurred_on,
        note=request.note,
        logged_at=clock.now(),
    )
    uow = UnitOfWork()
    store.add_activity(uow, principal.org_id, activity)
    store.bump_figures(uow, principal.org_id, principal.sub, activities=1, hours=activity.hours)
    uow.emit(
        events.watch_event(
            events.ACTIVITY_LOGGED,
            org_id=principal.org_id,
            group_id=request.group_id,
            actor=principal.sub,
            activityId=activity.id,
            blockId=request.block_id,
            kind=activity.kind.value,
            hours=activity.hours,
        )
    )
    uow.commit()
    return activity


def link_mentor(principal: Principal, group_id: str, mentor_sub: str, mentee_sub: str) -> MentorLink:
    """Pair a new captain with an experienced one (officers and coordinators)."""
    require_manager(principal)
    if mentor_sub == mentee_sub:
        raise BadUserInput("A captain cannot mentor themselves.", details={"field": "menteeSub"})
    group_store.require_group(principal.org_id, group_id)
    blocks = group_store.list_blocks(principal.org_id, group_id)
    captains = {b.captain_sub for b in blocks if b.captain_sub}
    missing = [s for s in (mentor_sub, mentee_sub) if s not in captains]
    if missing:
        raise BadUserInput(
            "Both people must captain a block of the group.",
            details={"field": "mentorSub" if mentor_sub in missing else "menteeSub"},
        )
    link = MentorLink(mentor_sub=mentor_sub, mentee_sub=mentee_sub, group_id=group_id, since=clock.now())
    uow = UnitOfWork()
    store.add_mentor_link(uow, principal.org_id, link)
    uow.commit()
    return link


@dataclass(frozen=True)
class CaptainPerformance:
    captain_sub: str
    blocks: list[str]
    figures: CaptainFigures


def captain_performance(principal: Principal, group_id: str) -> list[CaptainPerformance]:
    """Per-captain figures for coordinators: activity, hours, roster growth, response to requests."""
    if not principal.has_any_role(*STAFF):
        raise Forbidden("Captain performance is for officers and coordinators.")
    group_store.require_group(principal.org_id, group_id)
    by_captain: dict[str, list[str]] = {}
    for block in group_store.list_blocks(principal.org_id, group_id):
        if block.captain_sub:
            by_captain.setdefault(block.captain_sub, []).append(block.id)
    return [
        CaptainPerformance(sub, blocks, store.get_figures(principal.org_id, sub))
        for sub, blocks in sorted(by_captain.items())
    ]


def group_activity(
    principal: Principal, group_id: str, first: int | None, after: str | None
) -> Page[Activity]:
    """The group's activity feed, newest first: staff, its captains and approved members (else
    Forbidden; NotFound for a group of another organisation)."""
    group_store.require_group(principal.org_id, group_id)
    require_group_details(principal, group_id)
    return store.group_activities(principal.org_id, group_id, page_size(first), after)
