"""Crossing organisations over HTTP: a person of another organisation — officer, admin, captain or
resident, even with the same sub as someone of the first — cannot read, change or join the first
organisation's watch group, and ``coverage`` of a point inside it answers nothing for them."""

from __future__ import annotations

from typing import Any

import pytest
from argus.local.stack import LocalStack

from .support import (
    ADD_BLOCK,
    APPROVE_ENROLMENT,
    BLOCK_ROSTER,
    CAPTAIN_HUB,
    COVERAGE,
    ENROL,
    WATCH_CAPTAIN_1,
    WATCH_GROUP,
    WATCH_GROUP_BLOCKS,
    WATCH_GROUP_COUNTS,
    GraphQLClient,
    Org,
    Response,
    WatchProgramme,
    all_roster_pages,
    create_org,
    unique,
    wait_for_coverage,
    watch_programme,
)

pytestmark = pytest.mark.e2e

REFUSALS = {"NOT_FOUND", "FORBIDDEN"}


@pytest.fixture(scope="module")
def programme(stack: LocalStack, gql: GraphQLClient) -> WatchProgramme:
    return watch_programme(gql, stack)


@pytest.fixture(scope="module")
def away(stack: LocalStack, gql: GraphQLClient) -> Org:
    return create_org(gql, stack, "watch-other")


@pytest.fixture(scope="module")
def away_tokens(stack: LocalStack, away: Org, programme: WatchProgramme) -> dict[str, str]:
    """Every role of the other organisation, with the subs of the first organisation's people."""
    return {
        "officer": stack.token(away.id, ["officer"], sub=programme.officer_sub),
        "admin": away.admin_token,
        "captain": stack.token(away.id, ["captain"], sub=WATCH_CAPTAIN_1),
        "resident": stack.token(away.id, ["resident"], sub=programme.blocks[0].member_subs[0]),
    }


def refused(response: Response, programme: WatchProgramme) -> None:
    """Refused with NOT_FOUND or FORBIDDEN only, and nothing of the group in the answer."""
    assert response.errors, f"expected a refusal, got {response.data}"
    assert set(response.codes) <= REFUSALS, response.errors
    if isinstance(response.data, dict):
        assert not any(response.data.values()), response.data
    assert programme.group_name not in response.text
    for block in programme.blocks:
        assert block.name not in response.text


def snapshot(gql: GraphQLClient, programme: WatchProgramme) -> dict[str, Any]:
    """What the first organisation's officer sees of the group: counts, blocks and the first roster."""
    token, group = programme.officer_token, programme.group_id
    return {
        "counts": gql.execute(WATCH_GROUP_COUNTS, {"id": group}, token=token).ok()["watchGroup"]["counts"],
        "blocks": gql.execute(WATCH_GROUP_BLOCKS, {"id": group}, token=token).ok()["watchGroup"]["blocks"],
        "roster": all_roster_pages(gql, token, group, programme.blocks[0].id),
    }


@pytest.mark.parametrize("role", ["officer", "admin", "captain", "resident"])
def test_another_organisation_cannot_read_the_group(
    gql: GraphQLClient, programme: WatchProgramme, away_tokens: dict[str, str], role: str
) -> None:
    token = away_tokens[role]
    refused(gql.execute(WATCH_GROUP, {"id": programme.group_id}, token=token), programme)
    refused(gql.execute(WATCH_GROUP_COUNTS, {"id": programme.group_id}, token=token), programme)
    for block in programme.blocks:
        variables = {"groupId": programme.group_id, "blockId": block.id, "first": 100}
        refused(gql.execute(BLOCK_ROSTER, variables, token=token), programme)


def test_a_captain_with_the_same_sub_elsewhere_has_an_empty_hub(
    gql: GraphQLClient, programme: WatchProgramme, away_tokens: dict[str, str]
) -> None:
    hub = gql.execute(CAPTAIN_HUB, {}, token=away_tokens["captain"]).ok()["captainHub"]
    assert hub["blocks"] == []
    assert hub["roster"]["nodes"] == []
    assert hub["openTasks"] == []
    assert hub["recentActivity"] == []
    assert hub["figures"]["members"] == 0 and hub["figures"]["households"] == 0


def test_another_organisation_cannot_change_or_join_the_group(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme, away_tokens: dict[str, str]
) -> None:
    before = snapshot(gql, programme)
    block = programme.blocks[0]
    pending = [m["id"] for m in before["roster"] if m["status"] == "PENDING"]
    assert pending, "the first block has no enrolment waiting"

    for role in ("officer", "admin", "captain"):
        approve = {"groupId": programme.group_id, "blockId": block.id, "memberId": pending[0]}
        refused(gql.execute(APPROVE_ENROLMENT, approve, token=away_tokens[role]), programme)
    # a block inside the group's boundary, where no block is yet
    from argus.geo import demo_neighbourhood

    free_area = demo_neighbourhood().blocks[7].area.geojson
    for role in ("officer", "admin"):
        add = {"input": {"groupId": programme.group_id, "name": "Intruders' Row", "area": free_area}}
        refused(gql.execute(ADD_BLOCK, add, token=away_tokens[role]), programme)
    for role in ("resident", "captain", "officer"):
        enrolment = {
            "input": {
                "groupId": programme.group_id,
                "blockId": block.id,
                "displayName": "Outsider",
                "address": {"line1": "1 Elsewhere Road", "postcode": "N1 1AA"},
            }
        }
        refused(gql.execute(ENROL, enrolment, token=away_tokens[role]), programme)

    assert snapshot(gql, programme) == before
    # the refused enrolments made no membership for those subs in their own organisation either
    for role in ("resident", "captain", "officer"):
        memberships = gql.execute("{ myMemberships { id } }", token=away_tokens[role]).ok()
        assert memberships["myMemberships"] == []


def test_coverage_of_a_point_in_the_group_is_empty_for_another_organisation(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme, away_tokens: dict[str, str]
) -> None:
    block = programme.blocks[0]
    # the point is covered for the first organisation (so the index consumer has run) ...
    home = wait_for_coverage(gql, programme.token(stack, ["resident"]), block.point)
    assert home["group"]["id"] == programme.group_id and home["block"]["id"] == block.id
    # ... and for every role of the other one it is in no group and no block
    for role, token in away_tokens.items():
        found = gql.execute(
            COVERAGE, {"longitude": block.point[0], "latitude": block.point[1]}, token=token
        ).ok()["coverage"]
        assert found == {"group": None, "block": None}, role
    # nor does a fresh person of a third organisation see it
    third = stack.token(unique("watch-third"), ["officer"])
    found = gql.execute(COVERAGE, {"longitude": block.point[0], "latitude": block.point[1]}, token=third)
    assert found.ok()["coverage"] == {"group": None, "block": None}
