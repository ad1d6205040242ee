"""``coverage(longitude, latitude)`` over HTTP, once the watch-geo-index consumer has indexed the
programme's areas: a point inside a block answers its group and block; a point inside the group but
in no block answers the group only; a point elsewhere answers nothing."""

from __future__ import annotations

from typing import Any

import pytest
from argus.geo import demo_neighbourhood
from argus.local.stack import LocalStack

from .support import (
    COVERAGE,
    GraphQLClient,
    WatchProgramme,
    interior_point,
    wait_for_coverage,
    wait_until,
    watch_programme,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def programme(stack: LocalStack, gql: GraphQLClient) -> WatchProgramme:
    return watch_programme(gql, stack)


def test_a_point_in_each_block_is_covered_by_its_group_and_block(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    token = programme.token(stack, ["resident"])
    for block in programme.blocks:
        found = wait_for_coverage(gql, token, block.point)
        assert found["group"]["id"] == programme.group_id
        assert found["group"]["name"] == programme.group_name
        assert found["group"]["status"] == "ACTIVE"
        assert found["block"]["id"] == block.id
        assert found["block"]["groupId"] == programme.group_id
        assert found["block"]["name"] == block.name
        assert found["block"]["captainSub"] == block.captain_sub


def test_a_point_of_the_group_outside_its_blocks_has_no_block(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    token = programme.token(stack, ["resident"])
    # the programme has three of the neighbourhood's twelve blocks; the last one is not among them
    point = interior_point(demo_neighbourhood().blocks[-1].area.geojson)
    wait_for_coverage(gql, token, programme.blocks[-1].point)  # every area of the programme is indexed

    def answer() -> dict[str, Any] | None:
        found: dict[str, Any] = gql.execute(
            COVERAGE, {"longitude": point[0], "latitude": point[1]}, token=token
        ).ok()["coverage"]
        return found if found["group"] is not None else None

    found = wait_until(answer, timeout=15, interval=0.2, what="the group to cover the point")
    assert found["group"]["id"] == programme.group_id
    assert found["block"] is None


def test_a_point_outside_every_group_is_covered_by_nothing(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    token = programme.token(stack, ["resident"])
    wait_for_coverage(gql, token, programme.blocks[0].point)
    west, south, _, _ = programme_bbox(programme)
    found = gql.execute(COVERAGE, {"longitude": west - 0.01, "latitude": south - 0.01}, token=token).ok()
    assert found["coverage"] == {"group": None, "block": None}


def programme_bbox(programme: WatchProgramme) -> tuple[float, float, float, float]:
    ring = programme.boundary["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


def test_coordinates_out_of_range_are_refused(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    token = programme.token(stack, ["resident"])
    for longitude, latitude in ((181.0, 51.5), (-0.1, 91.0)):
        response = gql.execute(COVERAGE, {"longitude": longitude, "latitude": latitude}, token=token)
        response.refused("BAD_USER_INPUT")
        assert response.errors[0]["extensions"]["details"]["reason"] == "coordinates_out_of_range"
