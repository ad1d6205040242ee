"""Block captains: assignments, figures, tasks, mentoring links and the activity log — and the hub
read, which costs three queries whatever the size of the roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from argus.platform import clock
from argus.platform.errors import Conflict
from argus.platform.keys import watch as keys
from argus.platform.models import ArgusItem
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page, decode_cursor, encode_cursor
from argus.watch.model import (
    Activity,
    ActivityKind,
    Assignment,
    CaptainFigures,
    CaptainTask,
    MentorLink,
    TaskKind,
)
from argus.watch.store.items import ActivityItem, AssignmentItem, FiguresItem, MentorItem, TaskItem

FIGURE_FIELDS = (
    "households",
    "members",
    "pending",
    "activities",
    "hours",
    "members_added",
    "approvals",
    "approval_hours_total",
)


@dataclass(frozen=True)
class CaptainPartition:
    """Everything in a captain's own partition (read with one query)."""

    assignments: list[Assignment]
    figures: CaptainFigures
    tasks: list[CaptainTask]
    mentors: list[MentorLink]
    mentees: list[MentorLink]


def _assignment(item: AssignmentItem) -> Assignment:
    return Assignment(
        captain_sub=item.captain_sub,
        group_id=item.group_id,
        block_id=item.block_id,
        block_name=item.block_name,
        assigned_at=item.assigned_at,
    )


def _task(item: TaskItem) -> CaptainTask:
    return CaptainTask(
        id=item.task_id,
        captain_sub=item.captain_sub,
        group_id=item.group_id,
        block_id=item.block_id,
        kind=TaskKind(item.task_kind),
        title=item.title,
        member_id=item.member_id,
        created_at=item.created_at,
    )


def _activity(item: ActivityItem) -> Activity:
    return Activity(
        id=item.activity_id,
        captain_sub=item.captain_sub,
        group_id=item.group_id,
        block_id=item.block_id,
        kind=ActivityKind(item.activity_kind),
        hours=float(item.hours),
        occurred_on=date.fromisoformat(item.occurred_on),
        note=item.note,
        logged_at=item.logged_at,
    )


def _figures(item: FiguresItem | None) -> CaptainFigures:
    if item is None:
        return CaptainFigures()
    values: dict[str, Any] = {name: getattr(item, name) or 0 for name in FIGURE_FIELDS}
    return CaptainFigures(
        **{k: (float(v) if k in ("hours", "approval_hours_total") else int(v)) for k, v in values.items()}
    )


def read_partition(org_id: str, captain_sub: str) -> CaptainPartition:
    """One query over the captain's partition (assignments, figures, open tasks, mentoring)."""
    assignments: list[Assignment] = []
    tasks: list[CaptainTask] = []
    mentors: list[MentorLink] = []
    mentees: list[MentorLink] = []
    figures: FiguresItem | None = None
    for item in ArgusItem.query(keys.captain_pk(org_id, captain_sub)):
        if isinstance(item, AssignmentItem):
            assignments.append(_assignment(item))
        elif isinstance(item, TaskItem):
            tasks.append(_task(item))
        elif isinstance(item, FiguresItem):
            figures = item
        elif isinstance(item, MentorItem):
            link = MentorLink(
                mentor_sub=item.mentor_sub,
                mentee_sub=item.mentee_sub,
                group_id=item.group_id,
                since=item.since,
            )
            (mentors if item.mentee_sub == captain_sub else mentees).append(link)
    return CaptainPartition(assignments, _figures(figures), tasks, mentors, mentees)


def get_assignment(org_id: str, captain_sub: str, group_id: str, block_id: str) -> Assignment | None:
    try:
        return _assignment(
            AssignmentItem.get(keys.captain_pk(org_id, captain_sub), keys.assignment_sk(group_id, block_id))
        )
    except AssignmentItem.DoesNotExist:
        return None


def captained_group_ids(org_id: str, captain_sub: str) -> frozenset[str]:
    """The groups in which the person captains a block (one strongly consistent query over their
    assignments: access is decided on it, and a captaincy that just ended must be seen as ended)."""
    results = AssignmentItem.query(
        keys.captain_pk(org_id, captain_sub),
        AssignmentItem.SK.startswith(keys.ASSIGNMENT_PREFIX),
        consistent_read=True,
    )
    return frozenset(item.group_id for item in results)


def add_assignment(uow: UnitOfWork, org_id: str, assignment: Assignment) -> None:
    uow.put(
        AssignmentItem(
            PK=keys.captain_pk(org_id, assignment.captain_sub),
            SK=keys.assignment_sk(assignment.group_id, assignment.block_id),
            captain_sub=assignment.captain_sub,
            group_id=assignment.group_id,
            block_id=assignment.block_id,
            block_name=assignment.block_name,
            assigned_at=assignment.assigned_at,
        ),
        condition=AssignmentItem.PK.does_not_exist(),
        on_condition_failed=Conflict("This captain already has this block."),
    )


def remove_assignment(uow: UnitOfWork, org_id: str, captain_sub: str, group_id: str, block_id: str) -> None:
    uow.delete(
        AssignmentItem(PK=keys.captain_pk(org_id, captain_sub), SK=keys.assignment_sk(group_id, block_id))
    )


def bump_figures(uow: UnitOfWork, org_id: str, captain_sub: str, **deltas: float) -> None:
    """Atomically add to a captain's figures (the item is created on first use)."""
    uow.update(
        FiguresItem(PK=keys.captain_pk(org_id, captain_sub), SK=keys.FIGURES_SK),
        [FiguresItem.captain_sub.set(captain_sub), FiguresItem.kind.set(FiguresItem)]
        + [getattr(FiguresItem, name).add(delta) for name, delta in deltas.items()],
    )


def get_figures(org_id: str, captain_sub: str) -> CaptainFigures:
    try:
        return _figures(FiguresItem.get(keys.captain_pk(org_id, captain_sub), keys.FIGURES_SK))
    except FiguresItem.DoesNotExist:
        return _figures(None)


def add_task(uow: UnitOfWork, org_id: str, task: CaptainTask) -> None:
    uow.put(
        TaskItem(
            PK=keys.captain_pk(org_id, task.captain_sub),
            SK=keys.task_sk(task.id),
            task_id=task.id,
            captain_sub=task.captain_sub,
            group_id=task.group_id,
            block_id=task.block_id,
            task_kind=task.kind.value,
            title=task.title,
            member_id=task.member_id,
            created_at=task.created_at,
        ),
        condition=TaskItem.PK.does_not_exist(),
    )


def remove_task(uow: UnitOfWork, org_id: str, captain_sub: str, task_id: str) -> None:
    uow.delete(TaskItem(PK=keys.captain_pk(org_id, captain_sub), SK=keys.task_sk(task_id)))


def add_mentor_link(uow: UnitOfWork, org_id: str, link: MentorLink) -> None:
    for owner, role, other in (
        (link.mentee_sub, "MENTOR", link.mentor_sub),
        (link.mentor_sub, "MENTEE", link.mentee_sub),
    ):
        uow.put(
            MentorItem(
                PK=keys.captain_pk(org_id, owner),
                SK=keys.mentor_sk(role, other),
                mentor_sub=link.mentor_sub,
                mentee_sub=link.mentee_sub,
                group_id=link.group_id,
                since=link.since,
            ),
            condition=MentorItem.PK.does_not_exist(),
            on_condition_failed=Conflict("These captains are already linked."),
        )


def add_activity(uow: UnitOfWork, org_id: str, activity: Activity) -> None:
    time_key = keys.activity_sk(clock.iso(activity.logged_at), activity.id)
    uow.put(
        ActivityItem(
            PK=keys.activity_pk(org_id, activity.captain_sub),
            SK=time_key,
            GSI1PK=keys.group_activity_index_pk(org_id, activity.group_id),
            GSI1SK=time_key,
            activity_id=activity.id,
            captain_sub=activity.captain_sub,
            group_id=activity.group_id,
            block_id=activity.block_id,
            activity_kind=activity.kind.value,
            hours=activity.hours,
            occurred_on=activity.occurred_on.isoformat(),
            note=activity.note,
            logged_at=activity.logged_at,
        ),
        condition=ActivityItem.PK.does_not_exist(),
    )


def recent_activities(org_id: str, captain_sub: str, limit: int) -> list[Activity]:
    """One query: the captain's latest activities, newest first."""
    results = ActivityItem.query(keys.activity_pk(org_id, captain_sub), scan_index_forward=False, limit=limit)
    return [_activity(i) for i in results]


def group_activities(org_id: str, group_id: str, first: int, after: str | None) -> Page[Activity]:
    pk = keys.group_activity_index_pk(org_id, group_id)
    start = decode_cursor(after, partition_attr="GSI1PK", partition_value=pk)
    results = ArgusItem.gsi1.query(pk, scan_index_forward=False, limit=first, last_evaluated_key=start)
    items = [_activity(i) for i in results if isinstance(i, ActivityItem)]
    cursor = encode_cursor(results.last_evaluated_key)
    return Page(items, cursor, cursor is not None)
