"""Who sees and does what inside one organisation, over HTTP: a resident with no relation to a group
sees its public information only; a member sees its details; a captain cannot approve, or read the
roster, in another captain's block, and a refused approval changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from argus.local.stack import LocalStack

from .support import (
    APPROVE_ENROLMENT,
    BLOCK_ROSTER,
    CAPTAIN_HUB,
    WATCH_CAPTAIN_1,
    WATCH_CAPTAIN_2,
    WATCH_GROUP,
    WATCH_GROUP_COUNTS,
    WATCH_GROUP_HISTORY,
    GraphQLClient,
    WatchProgramme,
    all_roster_pages,
    watch_programme,
)

pytestmark = pytest.mark.e2e


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
