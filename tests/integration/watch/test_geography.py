"""Geography of watch groups: boundaries and blocks are validated before anything is written, and the
geo index consumer lets ``locate`` answer "which group and block cover this point?"."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from argus.geo import parse_area
from argus.handlers.watch_geo_index import handler as geo_index_handler
from argus.platform.cloudevents import parse_event
from argus.platform.errors import BadUserInput, NotFound
from argus.watch import events
from argus.watch.model import WatchGroup
from argus.watch.service import geography, groups
from shapely.geometry import Polygon

from tests.factories.events import sqs_body, sqs_event
from tests.factories.principals import OTHER_ORG
from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import (
    add_blocks,
    inside,
    kinds,
    layout,
    move,
    officer,
    outbox_events,
    propose,
    resident,
    snapshot,
)

# A bow tie over Clerkenwell: its edges cross in the middle.
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[-0.11, 51.525], [-0.10, 51.532], [-0.10, 51.525], [-0.11, 51.532], [-0.11, 51.525]]],
}
# A mistyped latitude: 151.53 lies beyond the North Pole.
OUT_OF_RANGE = {
    "type": "Polygon",
    "coordinates": [[[-0.11, 51.525], [-0.10, 51.525], [-0.10, 151.53], [-0.11, 51.525]]],
}


def clockwise(geojson: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [list(reversed(ring)) for ring in geojson["coordinates"]]}


def circle(vertices: int, radius_deg: float = 0.004) -> dict[str, Any]:
    lon, lat = -0.1060, 51.5290
    ring = [
        [
            lon + radius_deg * math.cos(2 * math.pi * k / vertices),
            lat + radius_deg * math.sin(2 * math.pi * k / vertices),
        ]
        for k in range(vertices)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def square_km(side_km: float) -> dict[str, Any]:
    """A square of ``side_km`` around Clerkenwell, counter-clockwise."""
    lon, lat = -0.1060, 51.5290
    half_lat = side_km / 2 / 111.32
    half_lon = half_lat / math.cos(math.radians(lat))
    ring = [
        [lon - half_lon, lat - half_lat],
        [lon + half_lon, lat - half_lat],
        [lon + half_lon, lat + half_lat],
        [lon - half_lon, lat + half_lat],
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def shifted(geojson: dict[str, Any], dlon: float, dlat: float = 0.0) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[x + dlon, y + dlat] for x, y in ring] for ring in geojson["coordinates"]],
    }


def shrunk(geojson: dict[str, Any], factor: float) -> dict[str, Any]:
    """The polygon scaled about its centroid (a smaller copy inside it, for a convex block)."""
    shape = Polygon(geojson["coordinates"][0])
    cx, cy = shape.centroid.x, shape.centroid.y
    ring = [[cx + (x - cx) * factor, cy + (y - cy) * factor] for x, y in geojson["coordinates"][0]]
    return {"type": "Polygon", "coordinates": [ring]}


# --- boundaries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("boundary", "reason"),
    [
        (BOW_TIE, "self_intersection"),
        (OUT_OF_RANGE, "coordinates_out_of_range"),
        (clockwise(layout().boundary.geojson), "wrong_orientation"),
        (circle(100_000), "too_many_vertices"),
        (square_km(5.5), "too_large"),
        ({"type": "Point", "coordinates": [-0.106, 51.529]}, "wrong_type"),
    ],
    ids=["self-intersecting", "out-of-range", "clockwise", "100k-vertices", "30-km2", "a-point"],
)
def test_an_invalid_boundary_is_refused_and_nothing_is_written(
    aws: ArgusAws, boundary: dict[str, Any], reason: str
) -> None:
    # Given a resident drawing a bad boundary
    # When they propose a group with it
    with pytest.raises(BadUserInput) as refused:
        propose(boundary=boundary)
    # Then the proposal is refused with the geo reason
    assert refused.value.details["reason"] == reason
    # And nothing was written: no group, no status history, no event
    assert aws.items() == []


def test_a_group_of_just_under_25_km2_is_accepted(aws: ArgusAws) -> None:
    group = propose(boundary=square_km(4.95))
    assert 24 < group.area_km2 <= 25
    assert kinds(aws) == {"watch-group": 1, "watch-status-change": 1, "outbox": 1}


def test_a_clockwise_boundary_is_accepted_when_asked_to_fix_it(aws: ArgusAws) -> None:
    # Given the same boundary drawn clockwise
    # When the resident asks for the orientation to be fixed
    group = propose(boundary=clockwise(layout().boundary.geojson), fix_orientation=True)
    # Then the stored boundary follows the right-hand rule (counter-clockwise), same area
    stored = Polygon(group.boundary["coordinates"][0])
    assert stored.exterior.is_ccw
    assert group.boundary == layout().boundary.geojson
    assert groups.get_group(officer(), group.id).boundary == layout().boundary.geojson


# --- blocks -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dlon", "outside"),
    [(0.02, "wholly"), (0.0008, "partly")],
    ids=["wholly-outside", "straddling-the-boundary"],
)
def test_a_block_outside_the_boundary_is_refused(aws: ArgusAws, dlon: float, outside: str) -> None:
    # Given a proposed group
    group = propose()
    before = snapshot(aws)
    # When an officer adds a block that lies (partly) outside its boundary
    area = shifted(layout().blocks[0].geojson, -dlon)  # the south-western block, moved west
    with pytest.raises(BadUserInput) as refused:
        groups.add_block(officer(), {"group_id": group.id, "name": "Myddelton Square", "area": area})
    # Then it is refused as outside the boundary, saying how much lies outside
    details = refused.value.details
    assert (details["reason"], details["what"]) == ("outside_boundary", "block")
    block_m2 = parse_area(area).area_m2
    if outside == "wholly":
        assert details["outsideAreaM2"] == pytest.approx(block_m2, rel=0.01)
    else:
        assert 0 < details["outsideAreaM2"] < block_m2
    # And nothing was written
    assert snapshot(aws) == before


def test_overlapping_blocks_are_refused_but_neighbours_may_share_edges(aws: ArgusAws) -> None:
    # Given a group with two neighbouring blocks (they share an edge)
    group = propose()
    first, second = add_blocks(group, 2)
    assert groups.get_group(officer(), group.id).counts.blocks == 2
    before = snapshot(aws)
    # When an officer adds a block overlapping the first one
    with pytest.raises(BadUserInput) as refused:
        groups.add_block(
            officer(),
            {"group_id": group.id, "name": "Myddelton Passage", "area": shrunk(first.area, 0.5)},
        )
    # Then it is refused as overlapping, and nothing was written
    assert (refused.value.details["reason"], refused.value.details["what"]) == ("overlapping", "block")
    assert refused.value.details["overlapAreaM2"] > 1
    assert snapshot(aws) == before
    assert [b.id for b in groups.list_blocks(officer(), group.id)] == sorted([first.id, second.id])


def test_a_patrol_zone_outside_the_boundary_is_refused(aws: ArgusAws) -> None:
    group = propose()
    before = snapshot(aws)
    with pytest.raises(BadUserInput) as refused:
        groups.add_patrol_zone(
            officer(),
            {
                "group_id": group.id,
                "name": "Canal towpath",
                "area": shifted(layout().blocks[0].geojson, 0.02),
            },
        )
    assert (refused.value.details["reason"], refused.value.details["what"]) == (
        "outside_boundary",
        "patrol zone",
    )
    assert snapshot(aws) == before


def test_a_closed_group_takes_no_new_blocks(aws: ArgusAws) -> None:
    group = propose()
    move(group, "closed", reason="Merged into Amwell watch")
    before = snapshot(aws)
    with pytest.raises(BadUserInput) as refused:
        add_blocks(group, 1)
    assert refused.value.details == {"field": "groupId", "reason": "group_closed"}
    assert snapshot(aws) == before


def test_a_closed_group_takes_no_new_patrol_zones(aws: ArgusAws) -> None:
    group = propose()
    move(group, "closed", reason="Merged into Amwell watch")
    before = snapshot(aws)
    with pytest.raises(BadUserInput) as refused:
        groups.add_patrol_zone(
            officer(), {"group_id": group.id, "name": "Square gardens", "area": layout().blocks[0].geojson}
        )
    assert refused.value.details == {"field": "groupId", "reason": "group_closed"}
    assert snapshot(aws) == before


def test_a_bad_block_polygon_is_refused_with_its_geo_reason(aws: ArgusAws) -> None:
    group = propose()
    before = snapshot(aws)
    with pytest.raises(BadUserInput) as refused:
        groups.add_block(officer(), {"group_id": group.id, "name": "Bow tie", "area": BOW_TIE})
    assert refused.value.details["reason"] == "self_intersection"
    assert snapshot(aws) == before


# --- the geo index and locate ---------------------------------------------------------------------------


def index_outbox(aws: ArgusAws) -> None:
    """Run the geo index consumer for every area event in the outbox (as its queue would)."""
    for document in outbox_events(aws):
        if document["type"] in events.AREA_TYPES:
            geography.index_area_event(parse_event(json.dumps(document)), None)  # type: ignore[arg-type]


def grouped_with_four_blocks() -> tuple[WatchGroup, list[Any]]:
    group = propose()
    blocks = add_blocks(group, 4)
    return group, blocks


def assert_locates(group: WatchGroup, blocks: list[Any]) -> None:
    who = resident("neighbour-1")
    # a point inside each indexed block: its group and that block
    for block in blocks:
        found = geography.locate(who, *inside(block.area))
        assert found.group is not None and found.group.id == group.id
        assert found.block == block
    # a point inside the group but in a part no block covers yet: the group, no block
    uncovered = layout().blocks[7]
    found = geography.locate(who, *inside(uncovered.geojson))
    assert found.group is not None and found.group.id == group.id
    assert found.block is None
    # a point outside the group (Hyde Park): nothing
    assert geography.locate(who, -0.1657, 51.5073) == geography.Coverage(None, None)


def test_locate_after_the_geo_index_consumer(aws: ArgusAws) -> None:
    # Given a proposed group with four of its blocks, indexed by the consumer
    group, blocks = grouped_with_four_blocks()
    index_outbox(aws)
    # Then points are located in the right group and block
    assert_locates(group, blocks)
    # And a caller of another organisation finds nothing at the same points
    stranger = resident("neighbour-1", org=OTHER_ORG)
    for block in blocks:
        assert geography.locate(stranger, *inside(block.area)) == geography.Coverage(None, None)


def test_locate_knows_nothing_before_indexing(aws: ArgusAws) -> None:
    _, blocks = grouped_with_four_blocks()
    assert geography.locate(resident(), *inside(blocks[0].area)) == geography.Coverage(None, None)


def test_the_geo_index_lambda_indexes_events_from_its_queue_once(aws: ArgusAws) -> None:
    # Given the area events of a group and its blocks, delivered as EventBridge → SQS messages
    group, blocks = grouped_with_four_blocks()
    documents = [d for d in outbox_events(aws) if d["type"] in events.AREA_TYPES]
    assert [d["type"] for d in documents] == [events.GROUP_PROPOSED] + [events.BLOCK_ADDED] * 4
    batch = sqs_event(*(sqs_body(d) for d in documents))
    # When the Lambda handler receives the batch
    assert geo_index_handler(batch, None) == {"batchItemFailures": []}
    cells = kinds(aws)["geo-cell"]
    assert cells > 0
    # Then locate answers
    assert_locates(group, blocks)
    # And a redelivery of the whole batch changes nothing
    before = snapshot(aws)
    assert geo_index_handler(batch, None) == {"batchItemFailures": []}
    assert snapshot(aws) == before


def test_locate_refuses_coordinates_out_of_range(aws: ArgusAws) -> None:
    with pytest.raises(BadUserInput) as refused:
        geography.locate(resident(), -0.1, 91.0)
    assert refused.value.details["reason"] == "coordinates_out_of_range"


# --- export -------------------------------------------------------------------------------------------


def test_export_lists_the_boundary_blocks_and_patrol_zones(aws: ArgusAws) -> None:
    group = propose()
    blocks = add_blocks(group, 3)
    zone = groups.add_patrol_zone(
        officer(), {"group_id": group.id, "name": "Square gardens", "area": shrunk(blocks[0].area, 0.6)}
    )
    collection = geography.export_group(resident("neighbour-1"), group.id)
    assert collection["type"] == "FeatureCollection"
    assert [(f["id"], f["properties"]["kind"]) for f in collection["features"]] == [
        (group.id, "group"),
        *[(b.id, "block") for b in sorted(blocks, key=lambda b: b.id)],
        (zone.id, "patrolZone"),
    ]
    assert collection["features"][0]["geometry"] == group.boundary
    with pytest.raises(NotFound):
        geography.export_group(resident(org=OTHER_ORG), group.id)
