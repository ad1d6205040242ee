"""Who sees and does what inside one organisation, over HTTP: a resident with no relation to a group
sees its public information only; a member sees its details; a pending enrolment is not membership
(no details, no activity, no live activity) until the captain approves it; a captain cannot approve,
or read the roster, in another captain's block, and a refused approval changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from argus.local.stack import LocalStack

from .support import (
    APPROVE_ENROLMENT,
    BLOCK_ROSTER,
    CAPTAIN_HUB,
    ENROL,
    WATCH_CAPTAIN_1,
    WATCH_CAPTAIN_2,
    WATCH_GROUP,
    WATCH_GROUP_ACTIVITY,
    WATCH_GROUP_COUNTS,
    WATCH_GROUP_HISTORY,
    Closed,
    GraphQLClient,
    GraphQLWebSocket,
    WatchProgramme,
    all_roster_pages,
    bearer_params,
    unique,
    watch_programme,
)

pytestmark = pytest.mark.e2e

GROUP_ACTIVITY = "query($g: ID!) { groupActivity(groupId: $g) { nodes { captainSub kind note } } }"
MY_MEMBERSHIPS = "query { myMemberships { id groupId status } }"


@pytest.fixture(scope="module")
def programme(stack: LocalStack, gql: GraphQLClient) -> WatchProgramme:
    return watch_programme(gql, stack)


def test_a_resident_sees_public_information_only(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    resident = programme.token(stack, ["resident"])
    group = gql.execute(WATCH_GROUP, {"id": programme.group_id}, token=resident).ok()["watchGroup"]
    assert group["id"] == programme.group_id
    assert group["name"] == programme.group_name
    assert group["status"] == "ACTIVE"
    assert group["boundary"] == programme.boundary
    assert group["areaKm2"] > 0

    for query in (WATCH_GROUP_COUNTS, WATCH_GROUP_HISTORY):
        response = gql.execute(query, {"id": programme.group_id}, token=resident).refused("FORBIDDEN")
        assert response.data is None or response.data.get("watchGroup") is None
    for block in programme.blocks:
        variables = {"groupId": programme.group_id, "blockId": block.id, "first": 100}
        response = gql.execute(BLOCK_ROSTER, variables, token=resident).refused("FORBIDDEN")
        assert "Applicant" not in response.text and "@demo.example" not in response.text


def test_a_member_sees_the_groups_details_but_not_a_roster(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    block = programme.blocks[2]
    member = stack.token(programme.org.id, ["member"], sub=block.member_subs[0])
    counts = gql.execute(WATCH_GROUP_COUNTS, {"id": programme.group_id}, token=member).ok()
    assert counts["watchGroup"]["counts"]["blocks"] == len(programme.blocks)
    history = gql.execute(WATCH_GROUP_HISTORY, {"id": programme.group_id}, token=member).ok()
    assert [c["toStatus"] for c in history["watchGroup"]["statusHistory"]][-1] == "ACTIVE"
    variables = {"groupId": programme.group_id, "blockId": block.id, "first": 100}
    gql.execute(BLOCK_ROSTER, variables, token=member).refused("FORBIDDEN")


def state_of_block(gql: GraphQLClient, stack: LocalStack, programme: WatchProgramme) -> dict[str, Any]:
    token, group = programme.officer_token, programme.group_id
    hub = gql.execute(CAPTAIN_HUB, {}, token=programme.captain_token(stack, WATCH_CAPTAIN_1)).ok()
    return {
        "roster": all_roster_pages(gql, token, group, programme.blocks[0].id),
        "counts": gql.execute(WATCH_GROUP_COUNTS, {"id": group}, token=token).ok(),
        "figures": hub["captainHub"]["figures"],
        "tasks": hub["captainHub"]["openTasks"],
    }


def test_a_captain_cannot_approve_or_read_in_another_captains_block(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    theirs = programme.blocks[0]
    assert theirs.captain_sub == WATCH_CAPTAIN_1
    other_captain = programme.captain_token(stack, WATCH_CAPTAIN_2)
    before = state_of_block(gql, stack, programme)
    pending = [m["id"] for m in before["roster"] if m["status"] == "PENDING"]
    assert pending, "the block has no enrolment waiting"

    approve = {"groupId": programme.group_id, "blockId": theirs.id, "memberId": pending[0]}
    response = gql.execute(APPROVE_ENROLMENT, approve, token=other_captain).refused("FORBIDDEN")
    assert response.data is None
    variables = {"groupId": programme.group_id, "blockId": theirs.id, "first": 100}
    gql.execute(BLOCK_ROSTER, variables, token=other_captain).refused("FORBIDDEN")
    # a resident cannot approve either, nor a member of the block
    for token in (
        programme.token(stack, ["resident"]),
        stack.token(programme.org.id, ["member"], sub=theirs.member_subs[0]),
    ):
        gql.execute(APPROVE_ENROLMENT, approve, token=token).refused("FORBIDDEN")

    assert state_of_block(gql, stack, programme) == before


def live_answer(stack: LocalStack, token: str, group_id: str) -> dict[str, Any]:
    """The first message of a watchGroupActivity subscription (a refusal comes at once)."""
    with GraphQLWebSocket(stack.websocket_url) as ws:
        answer = ws.init(bearer_params(token))
        assert answer is not None and answer["type"] == "connection_ack", answer
        ws.subscribe("activity", WATCH_GROUP_ACTIVITY, {"groupId": group_id})
        try:
            message = ws.receive(timeout=3)
        except Closed as closed:
            return {"type": "closed", "code": closed.code}
    return message or {"type": "none"}


def test_a_pending_enrolment_is_not_membership_until_approved(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    # Given a resident who enrols themselves in a block (pending until its captain approves)
    block = programme.blocks_of(WATCH_CAPTAIN_2)[0]
    token = programme.token(stack, ["resident"], sub=unique("applicant"))
    enrolment = {
        "groupId": programme.group_id,
        "blockId": block.id,
        "displayName": "Pending Applicant",
        "address": {"line1": "88 Amwell Street", "postcode": "EC1R 1UL"},
    }
    enrolled = gql.execute(ENROL, {"input": enrolment}, token=token).ok()["enrol"]
    assert enrolled["status"] == "PENDING"
    group = {"id": programme.group_id}
    # Then the same token gets none of the group's details, its activity, nor its live activity
    for query in (WATCH_GROUP_COUNTS, WATCH_GROUP_HISTORY):
        gql.execute(query, group, token=token).refused("FORBIDDEN")
    activity = gql.execute(GROUP_ACTIVITY, {"g": programme.group_id}, token=token).refused("FORBIDDEN")
    assert "Walked the block" not in activity.text
    refused = live_answer(stack, token, programme.group_id)
    assert refused["type"] in {"next", "error"}, refused
    payload = refused["payload"]
    errors = payload.get("errors") if isinstance(payload, dict) else payload
    assert {e["extensions"]["code"] for e in errors} == {"FORBIDDEN"}, refused
    assert not (isinstance(payload, dict) and payload.get("data")), refused
    # But they see their own pending membership
    mine = gql.execute(MY_MEMBERSHIPS, token=token).ok()["myMemberships"]
    assert {"id": enrolled["id"], "groupId": programme.group_id, "status": "PENDING"} in mine

    # When the block's captain approves it
    approve = {"groupId": programme.group_id, "blockId": block.id, "memberId": enrolled["id"]}
    approved = gql.execute(APPROVE_ENROLMENT, approve, token=programme.captain_token(stack, WATCH_CAPTAIN_2))
    assert approved.ok()["approveEnrolment"]["status"] == "ACTIVE"
    # Then the same token (still a resident's) has member access
    assert gql.execute(WATCH_GROUP_COUNTS, group, token=token).ok()["watchGroup"]["counts"]["blocks"] == 3
    nodes = gql.execute(GROUP_ACTIVITY, {"g": programme.group_id}, token=token).ok()["groupActivity"]["nodes"]
    assert len(nodes) >= len(programme.activity_ids)
