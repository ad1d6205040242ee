"""Bad input over HTTP: refused with BAD_USER_INPUT and a machine-readable
``extensions.details.reason`` (self-intersecting boundary, block outside the boundary or over another
block, enrolment in a closed group), CONFLICT for a second enrolment — and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from argus.geo import demo_neighbourhood, synthetic_city
from argus.local.stack import LocalStack

from .support import (
    ADD_BLOCK,
    CHANGE_WATCH_GROUP_STATUS,
    ENROL,
    PROPOSE_WATCH_GROUP,
    WATCH_CAPTAIN_2,
    WATCH_GROUP_BLOCKS,
    WATCH_GROUP_COUNTS,
    GraphQLClient,
    Response,
    WatchProgramme,
    unique,
    watch_programme,
)

pytestmark = pytest.mark.e2e

# A bow tie over Clerkenwell: its two diagonals cross at (-0.105, 51.525).
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[-0.11, 51.52], [-0.10, 51.53], [-0.10, 51.52], [-0.11, 51.53], [-0.11, 51.52]]],
}


@pytest.fixture(scope="module")
def programme(stack: LocalStack, gql: GraphQLClient) -> WatchProgramme:
    return watch_programme(gql, stack)


def far_away_group() -> Any:
    """A synthetic group about 1.1 km east of the demo neighbourhood, clear of it."""
    return synthetic_city(11, groups=1, blocks_per_group=4, origin=(-0.0900, 51.5290)).groups[0]


def reason(response: Response) -> str:
    response.refused("BAD_USER_INPUT")
    reasons = {str(((e.get("extensions") or {}).get("details") or {}).get("reason")) for e in response.errors}
    assert len(reasons) == 1, response.errors
    return reasons.pop()


def counts(gql: GraphQLClient, programme: WatchProgramme, group_id: str | None = None) -> dict[str, int]:
    found: dict[str, int] = gql.execute(
        WATCH_GROUP_COUNTS, {"id": group_id or programme.group_id}, token=programme.officer_token
    ).ok()["watchGroup"]["counts"]
    return found


def blocks(gql: GraphQLClient, programme: WatchProgramme) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = gql.execute(
        WATCH_GROUP_BLOCKS, {"id": programme.group_id}, token=programme.officer_token
    ).ok()["watchGroup"]["blocks"]
    return found


def test_a_self_intersecting_boundary_is_refused(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    resident = programme.token(stack, ["resident"])
    response = gql.execute(
        PROPOSE_WATCH_GROUP, {"input": {"name": "Bow Tie Watch", "boundary": BOW_TIE}}, token=resident
    )
    assert reason(response) == "self_intersection"
    assert response.data is None
    details = response.errors[0]["extensions"]["details"]
    assert details["location"] == pytest.approx([-0.105, 51.525])
    # nothing was proposed
    groups = gql.execute("{ watchGroups(first: 100) { nodes { name } } }", token=resident).ok()
    assert "Bow Tie Watch" not in {g["name"] for g in groups["watchGroups"]["nodes"]}


def test_a_block_outside_the_boundary_or_over_another_block_is_refused(
    gql: GraphQLClient, programme: WatchProgramme
) -> None:
    before = blocks(gql, programme)
    outside = far_away_group().blocks[0].area.geojson
    response = gql.execute(
        ADD_BLOCK,
        {"input": {"groupId": programme.group_id, "name": "Somewhere Else", "area": outside}},
        token=programme.officer_token,
    )
    assert reason(response) == "outside_boundary"
    # straddling the boundary: the south-west corner block of the neighbourhood moved west by half
    # its width (the programme's first block; so it overlaps it too, but leaving the boundary comes first)
    corner = demo_neighbourhood().blocks[0].area
    west, _, east, _ = corner.bbox
    straddling = {
        "type": "Polygon",
        "coordinates": [[[x - (east - west) / 2, y] for x, y in corner.geojson["coordinates"][0]]],
    }
    response = gql.execute(
        ADD_BLOCK,
        {"input": {"groupId": programme.group_id, "name": "Half Out", "area": straddling}},
        token=programme.officer_token,
    )
    assert reason(response) == "outside_boundary"
    response = gql.execute(
        ADD_BLOCK,
        {"input": {"groupId": programme.group_id, "name": "Twin", "area": programme.blocks[0].area}},
        token=programme.officer_token,
    )
    assert reason(response) == "overlapping"
    assert blocks(gql, programme) == before


def enrolment(programme: WatchProgramme, block_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "groupId": programme.group_id,
            "blockId": block_id,
            "displayName": "Dana Twice",
            "address": {"line1": "9 Percy Circus", "postcode": "WC1X 9EE"},
            **extra,
        }
    }


def test_a_second_enrolment_in_the_same_group_is_a_conflict(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    block = programme.blocks_of(WATCH_CAPTAIN_2)[0]
    resident = programme.token(stack, ["resident"], sub=unique("enrol-twice"))
    before = counts(gql, programme)
    first = gql.execute(ENROL, enrolment(programme, block.id), token=resident).ok()["enrol"]
    assert first["status"] == "PENDING"
    after_first = counts(gql, programme)
    assert after_first["pending"] == before["pending"] + 1

    again = gql.execute(ENROL, enrolment(programme, block.id), token=resident).refused("CONFLICT")
    assert again.data is None
    other_block = next(b for b in programme.blocks if b.id != block.id)
    gql.execute(ENROL, enrolment(programme, other_block.id), token=resident).refused("CONFLICT")
    assert counts(gql, programme) == after_first

    memberships = gql.execute("{ myMemberships { id status blockId } }", token=resident).ok()
    assert memberships["myMemberships"] == [{"id": first["id"], "status": "PENDING", "blockId": block.id}]


def test_enrolment_input_must_name_one_household(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    resident = programme.token(stack, ["resident"])
    block = programme.blocks_of(WATCH_CAPTAIN_2)[0]
    neither = enrolment(programme, block.id)
    del neither["input"]["address"]
    gql.execute(ENROL, neither, token=resident).refused("BAD_USER_INPUT")
    bad_email = enrolment(
        programme,
        block.id,
        channels=[{"channel": "EMAIL", "address": "not-an-email", "consentWording": "ok"}],
    )
    gql.execute(ENROL, bad_email, token=resident).refused("BAD_USER_INPUT")


def test_enrolment_in_a_closed_group_is_refused(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    layout = far_away_group()
    founder = programme.token(stack, ["resident"])
    group = gql.execute(
        PROPOSE_WATCH_GROUP,
        {"input": {"name": "Short-lived Watch", "boundary": layout.boundary.geojson}},
        token=founder,
    ).ok()["proposeWatchGroup"]
    block = gql.execute(
        ADD_BLOCK,
        {"input": {"groupId": group["id"], "name": "Only Street", "area": layout.blocks[0].area.geojson}},
        token=programme.officer_token,
    ).ok()["addBlock"]
    closed = gql.execute(
        CHANGE_WATCH_GROUP_STATUS,
        {"input": {"groupId": group["id"], "status": "CLOSED", "reason": "Not enough interest"}},
        token=programme.officer_token,
    ).ok()["changeWatchGroupStatus"]
    assert closed["status"] == "CLOSED"
    before = counts(gql, programme, group["id"])

    response = gql.execute(
        ENROL,
        {
            "input": {
                "groupId": group["id"],
                "blockId": block["id"],
                "displayName": "Late Comer",
                "address": {"line1": "1 Only Street", "postcode": "EC1V 1AA"},
            }
        },
        token=programme.token(stack, ["resident"]),
    )
    assert reason(response) == "group_closed"
    assert counts(gql, programme, group["id"]) == before
    # closed is final
    response = gql.execute(
        CHANGE_WATCH_GROUP_STATUS,
        {"input": {"groupId": group["id"], "status": "ACTIVE", "reason": "Changed our minds"}},
        token=programme.officer_token,
    )
    assert reason(response) == "transition_not_allowed"
