"""Membership means approval: a pending self-enrolment is the applicant's own record, never member
access — not to a group's details, its activity, nor its live activity — until the block's captain
approves it; the same token then has member access, and loses it again on leaving."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from argus.api.context import ArgusContext
from argus.api.graphql import schema
from argus.api.live import get_broker
from argus.platform.auth.principal import Principal
from argus.platform.errors import Forbidden
from argus.watch import events
from argus.watch.model import Block, WatchGroup
from argus.watch.service import access, captains, groups, members
from strawberry.types import ExecutionResult

from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import (
    CAPTAIN_SUB,
    add_blocks,
    captain,
    enrolment,
    move,
    officer,
    propose,
    resident,
)

APPLICANT = "resident-priya"
DETAILS = """
query Details($id: ID!) {
  watchGroup(id: $id) { id counts { members pending } statusHistory { toStatus } }
}"""
ACTIVITY = """
query Activity($id: ID!) { groupActivity(groupId: $id) { nodes { captainSub kind note } } }"""
MINE = "query { myMemberships { id groupId status } }"
LIVE = "subscription Live($id: ID!) { watchGroupActivity(groupId: $id) { type subject } }"


async def execute(query: str, who: Principal, variables: dict[str, Any]) -> dict[str, Any]:
    result = await schema.execute(query, variable_values=variables, context_value=ArgusContext(principal=who))
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


def codes(response: dict[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in response["errors"]}


def programme() -> tuple[WatchGroup, Block]:
    """A registered group with a captained block whose captain logged a patrol with a note."""
    group = propose()
    move(group, "registered")
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    captains.log_activity(
        captain(),
        {
            "group_id": group.id,
            "block_id": block.id,
            "kind": "patrol",
            "hours": 1.5,
            "occurred_on": date(2026, 3, 1),
            "note": "Door of number 12 left open",
        },
    )
    return group, block


async def first_live_result(who: Principal, group_id: str) -> ExecutionResult:
    """The first result of ``who``'s watchGroupActivity subscription once one activity is delivered."""
    stream = await schema.subscribe(
        LIVE, variable_values={"id": group_id}, context_value=ArgusContext(principal=who)
    )
    assert not isinstance(stream, ExecutionResult)
    already = get_broker().subscriber_count
    pending = asyncio.ensure_future(anext(stream))
    for _ in range(50):  # until it registers with the broker, or is refused before that
        if pending.done() or get_broker().subscriber_count > already:
            break
        await asyncio.sleep(0.01)
    get_broker().publish(
        events.watch_event(events.ACTIVITY_LOGGED, org_id=who.org_id, group_id=group_id, actor=CAPTAIN_SUB)
    )
    try:
        return await asyncio.wait_for(pending, timeout=5)
    finally:
        await stream.aclose()


async def test_a_pending_enrolment_gives_no_member_access(aws: ArgusAws) -> None:
    # Given a group whose captain logged an activity with a note
    group, block = programme()
    applicant = resident(APPLICANT)
    # When a resident enrols themselves (pending until the captain approves)
    enrolled = members.enrol(applicant, enrolment(group, block, "Priya Patel", 41))
    assert enrolled.status.value == "pending"
    # Then the same token is refused the group's details and its activity
    details = await execute(DETAILS, applicant, {"id": group.id})
    assert codes(details) == {"FORBIDDEN"}
    assert details["data"] is None or details["data"]["watchGroup"] is None
    activity = await execute(ACTIVITY, applicant, {"id": group.id})
    assert (activity["data"], codes(activity)) == (None, {"FORBIDDEN"})
    assert "number 12" not in str(activity)
    # And its live subscription is refused and delivers nothing
    live = await first_live_result(applicant, group.id)
    assert live.data is None
    assert [e.extensions for e in live.errors or []] == [{"code": "FORBIDDEN"}]
    # And the relation check the subscriptions share says no
    assert access.may_follow_group(applicant, group.id) is False
    # But the applicant still sees their own pending membership
    mine = await execute(MINE, applicant, {})
    assert mine == {
        "data": {"myMemberships": [{"id": enrolled.id, "groupId": group.id, "status": "PENDING"}]},
        "errors": [],
    }


async def test_approval_gives_member_access_and_leaving_ends_it(aws: ArgusAws) -> None:
    # Given a pending enrolment
    group, block = programme()
    applicant = resident(APPLICANT)
    enrolled = members.enrol(applicant, enrolment(group, block, "Priya Patel", 41))
    # When the block's captain approves it
    members.approve(captain(), group.id, block.id, enrolled.id)
    # Then the same token (its roles unchanged) reads the group's details and activity
    details = await execute(DETAILS, applicant, {"id": group.id})
    assert details["errors"] == []
    assert details["data"]["watchGroup"]["counts"] == {"members": 1, "pending": 0}
    activity = await execute(ACTIVITY, applicant, {"id": group.id})
    assert activity["errors"] == []
    assert [n["kind"] for n in activity["data"]["groupActivity"]["nodes"]] == ["PATROL"]
    # And follows the group live
    live = await first_live_result(applicant, group.id)
    assert live.errors is None
    assert live.data == {"watchGroupActivity": {"type": events.ACTIVITY_LOGGED, "subject": group.id}}
    assert access.may_follow_group(applicant, group.id) is True
    # When they leave
    members.leave(applicant, group.id)
    # Then member access ends with the membership
    assert codes(await execute(ACTIVITY, applicant, {"id": group.id})) == {"FORBIDDEN"}
    assert access.may_follow_group(applicant, group.id) is False


async def test_a_pending_enrolment_is_refused_by_the_services_too(aws: ArgusAws) -> None:
    # Given a pending enrolment
    group, block = programme()
    applicant = resident(APPLICANT)
    members.enrol(applicant, enrolment(group, block, "Priya Patel", 41))
    # Then the services refuse it as well (a resolver that forgot its permission leaks nothing)
    with pytest.raises(Forbidden):
        captains.group_activity(applicant, group.id, None, None)
    with pytest.raises(Forbidden):
        groups.status_history(applicant, group.id)
