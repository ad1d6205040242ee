"""Block captains: the captain hub (contents, roster paging, its cost in DynamoDB requests) and the
activity log."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest
from argus.platform import clock
from argus.platform.auth.principal import Principal, Role
from argus.platform.errors import BadUserInput, Forbidden
from argus.watch import events
from argus.watch.model import ActivityKind, Block, TaskKind, WatchGroup
from argus.watch.service import captains, members

from tests.factories.principals import principal
from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import (
    CAPTAIN_SUB,
    OTHER_CAPTAIN_SUB,
    add_blocks,
    captain,
    counting_dynamodb_requests,
    enrolment,
    import_households,
    member,
    move,
    officer,
    outbox_events,
    propose,
    resident,
    snapshot,
)


def two_captains(block_count: int = 3) -> tuple[WatchGroup, list[Block]]:
    """A registered group: CAPTAIN_SUB leads all blocks but the last, OTHER_CAPTAIN_SUB the last."""
    group = propose()
    move(group, "registered")
    blocks = add_blocks(group, block_count)
    for block in blocks[:-1]:
        captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    captains.assign_captain(officer(), group.id, blocks[-1].id, OTHER_CAPTAIN_SUB)
    return group, blocks


def activity(group: WatchGroup, block: Block | None, **overrides: Any) -> dict[str, Any]:
    return {
        "group_id": group.id,
        "block_id": block.id if block else None,
        "kind": "patrol",
        "hours": 1.5,
        "occurred_on": (clock.now() - timedelta(days=1)).date().isoformat(),
        "note": "Evening walk round the square; two gates found open.",
        **overrides,
    }


def whole_roster(who: Principal, first: int) -> tuple[list[str], list[str | None]]:
    """Page through the hub's roster: member ids in order, and the block each page came from."""
    ids: list[str] = []
    pages: list[str | None] = []
    after = None
    for _ in range(100):
        hub = captains.captain_hub(who, first, after)
        ids += [m.id for m in hub.roster.items]
        pages.append(hub.roster_block_id)
        assert len(hub.roster.items) <= first
        if not hub.roster.has_next_page:
            return ids, pages
        after = hub.roster.end_cursor
    raise AssertionError("the roster never ended")


def test_the_hub_has_everything_a_captain_needs(aws: ArgusAws, fixed_clock: clock.FixedClock) -> None:
    # Given a captain of two blocks with neighbours, an applicant, a mentor and a week of activity
    group, (first, second, other) = two_captains()
    import_households(group, first, 3, who=captain())
    import_households(group, second, 2, who=captain(), start=10)
    applicant = members.enrol(resident("resident-priya"), enrolment(group, second, "Priya Patel", 41))
    captains.link_mentor(officer(), group.id, mentor_sub=OTHER_CAPTAIN_SUB, mentee_sub=CAPTAIN_SUB)
    logged = []
    for day in range(12):
        fixed_clock.advance(hours=1)
        logged.append(captains.log_activity(captain(), activity(group, first, hours=0.5 + day % 3)))
    # When they open their hub
    hub = captains.captain_hub(captain(), None, None)
    # Then it lists their two blocks (not the other captain's)
    assert hub.captain_sub == CAPTAIN_SUB
    assert {a.block_id for a in hub.assignments} == {first.id, second.id}
    assert {a.block_name for a in hub.assignments} == {first.name, second.name}
    # And their figures
    assert (hub.figures.households, hub.figures.members, hub.figures.pending) == (6, 5, 1)
    assert (hub.figures.activities, hub.figures.hours) == (12, pytest.approx(sum(a.hours for a in logged)))
    # And the first page of the roster, from the first of their blocks
    first_block = min(hub.assignments, key=lambda a: (a.group_id, a.block_id)).block_id
    assert hub.roster_block_id == first_block
    assert {m.block_id for m in hub.roster.items} == {first_block}
    # And their ten latest activities, newest first
    assert [a.id for a in hub.recent_activity] == [a.id for a in reversed(logged)][:10]
    # And the enrolment waiting for them
    [task] = hub.open_tasks
    assert (task.kind, task.member_id) == (TaskKind.APPROVE_ENROLMENT, applicant.id)
    # And their mentor; the other captain sees their mentee
    assert [(m.mentor_sub, m.mentee_sub) for m in hub.mentors] == [(OTHER_CAPTAIN_SUB, CAPTAIN_SUB)]
    assert hub.mentees == []
    mentor_hub = captains.captain_hub(captain(OTHER_CAPTAIN_SUB), None, None)
    assert [(m.mentor_sub, m.mentee_sub) for m in mentor_hub.mentees] == [(OTHER_CAPTAIN_SUB, CAPTAIN_SUB)]
    assert [a.block_id for a in mentor_hub.assignments] == [other.id]


def test_the_hub_is_for_captains(aws: ArgusAws) -> None:
    for who in (resident(), member("member-amara"), officer()):
        with pytest.raises(Forbidden):
            captains.captain_hub(who, None, None)
    empty = captains.captain_hub(captain("captain-new"), None, None)
    assert (empty.assignments, list(empty.roster.items), empty.roster_block_id) == ([], [], None)


def test_the_roster_pages_through_both_blocks_once(aws: ArgusAws) -> None:
    # Given a captain of two blocks with 7 and 6 people (one of them pending) and a neighbour block
    group, (first, second, other) = two_captains()
    import_households(group, first, 7, who=captain())
    import_households(group, second, 5, who=captain(), start=20)
    members.enrol(resident("resident-priya"), enrolment(group, second, "Priya Patel", 41))
    import_households(group, other, 4, who=captain(OTHER_CAPTAIN_SUB), start=40)
    expected = {
        m.id
        for block in (first, second)
        for m in members.block_roster(officer(), group.id, block.id, 100, None).items
    }
    assert len(expected) == 13
    for size in (3, 6, 7, 20):
        # When they page through the hub's roster
        ids, blocks = whole_roster(captain(), size)
        # Then they see every member of their blocks exactly once, block by block, none of the other's
        assert len(ids) == len(set(ids)) == 13
        assert set(ids) == expected
        assert set(blocks) == {first.id, second.id}
        assert sum(1 for a, b in pairwise(blocks) if a != b) == 1  # one block, then the other


def test_a_cursor_of_another_captains_roster_is_refused(aws: ArgusAws) -> None:
    # Given two captains whose rosters span several pages
    group, (first, _, other) = two_captains()
    import_households(group, first, 5, who=captain())
    import_households(group, other, 5, who=captain(OTHER_CAPTAIN_SUB), start=20)
    theirs = captains.captain_hub(captain(OTHER_CAPTAIN_SUB), 2, None).roster.end_cursor
    assert theirs is not None
    # When our captain pages with the other captain's cursor (or with garbage)
    for cursor in (theirs, "bm90LWEtY3Vyc29y", "%%%"):
        with pytest.raises(BadUserInput) as refused:
            captains.captain_hub(captain(), 2, cursor)
        # Then it is refused
        assert refused.value.details == {"field": "after"}


@pytest.mark.parametrize("first", [20, 100])
def test_the_hub_costs_three_requests_whatever_the_roster_size(aws: ArgusAws, first: int) -> None:
    # Given a captain of two blocks with 40 households, an applicant, a mentor and some activity
    group, (one, two, _) = two_captains()
    import_households(group, one, 20, who=captain())
    import_households(group, two, 20, who=captain(), start=100)
    members.enrol(resident("resident-priya"), enrolment(group, one, "Priya Patel", 41))
    captains.link_mentor(officer(), group.id, mentor_sub=OTHER_CAPTAIN_SUB, mentee_sub=CAPTAIN_SUB)
    for _ in range(3):
        captains.log_activity(captain(), activity(group, one))
    # When they open their hub
    with counting_dynamodb_requests() as small:
        hub = captains.captain_hub(captain(), first, None)
    assert len(hub.roster.items) == min(first, 21)
    # And again once their blocks have 400 households
    import_households(group, one, 180, who=captain(), start=1000)
    import_households(group, two, 180, who=captain(), start=2000)
    assert captains.captain_hub(captain(), None, None).figures.households == 401
    with counting_dynamodb_requests() as large:
        hub = captains.captain_hub(captain(), first, None)
    assert len(hub.roster.items) == first
    # Then each costs at most three requests, the same three queries
    assert len(small.operations) <= 3
    assert large.operations == small.operations
    assert set(small.operations) == {"Query"}


# --- activities ---------------------------------------------------------------------------------------


def test_a_captain_logs_an_activity(aws: ArgusAws, fixed_clock: clock.FixedClock) -> None:
    group, (first, _, _) = two_captains()
    logged = captains.log_activity(captain(), activity(group, first, kind="door_knock", hours=2.25))
    whole_group = captains.log_activity(captain(), activity(group, None, kind="meeting", hours=24))
    assert (logged.kind, logged.hours, logged.block_id, logged.logged_at) == (
        ActivityKind.DOOR_KNOCK,
        2.25,
        first.id,
        fixed_clock.current,
    )
    assert whole_group.block_id is None
    figures = captains.captain_hub(captain(), None, None).figures
    assert (figures.activities, figures.hours) == (2, 26.25)
    feed = captains.group_activity(officer(), group.id, None, None)
    assert {a.id for a in feed.items} == {logged.id, whole_group.id}
    assert [
        (e["data"]["kind"], e["data"]["hours"], e["data"]["blockId"])
        for e in outbox_events(aws, events.ACTIVITY_LOGGED)
    ] == [
        ("door_knock", 2.25, first.id),
        ("meeting", 24, None),
    ]


@pytest.mark.parametrize(
    "who",
    [
        resident(),
        member("member-amara"),
        officer(),
        principal(Role.ADMIN, sub="coordinator-1"),
        captain("captain-of-elsewhere"),
    ],
    ids=["resident", "member", "officer", "coordinator", "captain-of-another-group"],
)
def test_only_the_groups_captains_log_activities(aws: ArgusAws, who: Principal) -> None:
    group, (first, _, _) = two_captains()
    elsewhere = propose()
    [far] = add_blocks(elsewhere, 1)
    captains.assign_captain(officer(), elsewhere.id, far.id, "captain-of-elsewhere")
    before = snapshot(aws)
    for block in (first, None):
        with pytest.raises(Forbidden):
            captains.log_activity(who, activity(group, block))
    assert snapshot(aws) == before


def test_a_captain_logs_only_for_their_own_blocks(aws: ArgusAws) -> None:
    group, (_, _, other) = two_captains()
    before = snapshot(aws)
    with pytest.raises(Forbidden):
        captains.log_activity(captain(), activity(group, other))
    assert snapshot(aws) == before


def test_an_activity_of_no_time_at_all_is_refused(aws: ArgusAws) -> None:
    group, (first, _, _) = two_captains()
    before = snapshot(aws)
    with pytest.raises(BadUserInput):
        captains.log_activity(captain(), activity(group, first, hours=0.004))
    assert snapshot(aws) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hours": 24.5}, "hours"),
        ({"hours": 0}, "hours"),
        ({"hours": -1}, "hours"),
        ({"occurred_on": "2026-03-04"}, "occurredOn"),
        ({"occurred_on": "2026-12-25"}, "occurredOn"),
        ({"kind": "vigilante_chase"}, "kind"),
    ],
    ids=["25h", "0h", "negative", "day-after-tomorrow", "christmas", "unknown-kind"],
)
def test_impossible_activities_are_refused(
    aws: ArgusAws, fixed_clock: clock.FixedClock, overrides: dict[str, Any], field: str
) -> None:
    # Given today is 2 March 2026
    assert fixed_clock.current.date() == date(2026, 3, 2)
    group, (first, _, _) = two_captains()
    before = snapshot(aws)
    with pytest.raises(BadUserInput) as refused:
        captains.log_activity(captain(), activity(group, first, **overrides))
    details = refused.value.details
    assert details.get("field") == field or field in details.get("fields", {})
    assert snapshot(aws) == before
