"""A watch group's map export (argus.watch.service.geography.export_group, and the GraphQL field
WatchGroup.geoJson that serves it) against the official GeoJSON JSON Schemas and RFC 7946's rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from argus.api.context import ArgusContext
from argus.api.graphql import schema as graphql_schema
from argus.geo import demo_neighbourhood, parse_area
from argus.platform.auth.principal import Principal, Role
from argus.watch.model import WatchGroup
from argus.watch.service import geography, groups
from shapely.geometry import LinearRing, Polygon

from tests.factories.principals import principal
from tests.fakes.aws import ArgusAws

RESIDENT = principal(Role.RESIDENT, sub="resident-founder")
OFFICER = principal(Role.OFFICER, sub="officer-okafor")
GEOJSON_QUERY = "query Map($id: ID!) { watchGroup(id: $id) { geoJson } }"


@pytest.fixture(scope="module")
def schemas(shared_dir: Path) -> dict[str, Any]:
    root = shared_dir / "standards" / "geojson" / "schema"
    if not root.is_dir():
        pytest.skip(f"{root} is absent")
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in root.glob("*.json")}


def validate(instance: Any, schema: dict[str, Any]) -> None:
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def ring_around(area: dict[str, Any], factor: float, *, clockwise: bool) -> list[list[float]]:
    """A smaller copy of a polygon's exterior ring, scaled about its centroid."""
    exterior = area["coordinates"][0]
    centre = Polygon(exterior).centroid
    ring = [[centre.x + (x - centre.x) * factor, centre.y + (y - centre.y) * factor] for x, y in exterior]
    return ring[::-1] if clockwise else ring


def clerkenwell_with_a_courtyard() -> dict[str, Any]:
    """The demo boundary with a hole (a private courtyard left out of the group), right-hand rule."""
    layout = demo_neighbourhood()
    hole = ring_around(layout.blocks[11].geojson, 0.4, clockwise=True)
    return {"type": "Polygon", "coordinates": [layout.boundary.geojson["coordinates"][0], hole]}


def mapped_group(boundary: dict[str, Any], **proposal: Any) -> WatchGroup:
    """A group with four blocks and a patrol zone."""
    layout = demo_neighbourhood()
    group = groups.propose_group(
        RESIDENT, {"name": "Clerkenwell & Amwell Neighbourhood Watch", "boundary": boundary, **proposal}
    )
    for named in layout.blocks[:4]:
        groups.add_block(OFFICER, {"group_id": group.id, "name": named.name, "area": named.geojson})
    groups.add_patrol_zone(
        OFFICER,
        {
            "group_id": group.id,
            "name": "Myddelton Square gardens",
            "area": {
                "type": "Polygon",
                "coordinates": [ring_around(layout.blocks[0].geojson, 0.5, clockwise=False)],
            },
        },
    )
    return group


async def geo_json_field(group_id: str, who: Principal) -> Any:
    result = await graphql_schema.execute(
        GEOJSON_QUERY, variable_values={"id": group_id}, context_value=ArgusContext(principal=who)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data["watchGroup"]["geoJson"]


def assert_rfc7946(collection: dict[str, Any]) -> None:
    """What the JSON Schemas cannot say: lon/lat positions in range, right-hand rule, no crs."""
    assert "crs" not in json.dumps(collection)
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for rings in polygons:
            for index, ring in enumerate(rings):
                assert ring[0] == ring[-1] and len(ring) >= 4
                assert all(len(p) == 2 and -180 <= p[0] <= 180 and -90 <= p[1] <= 90 for p in ring)
                # exterior rings counter-clockwise, holes clockwise (RFC 7946 §3.1.6)
                assert LinearRing(ring).is_ccw == (index == 0), (feature["id"], index)


@pytest.mark.parametrize(
    ("boundary", "fix"),
    [
        (demo_neighbourhood().boundary.geojson, False),
        (clerkenwell_with_a_courtyard(), False),
        (
            {
                "type": "Polygon",
                "coordinates": [ring[::-1] for ring in clerkenwell_with_a_courtyard()["coordinates"]],
            },
            True,
        ),
    ],
    ids=["polygon", "polygon-with-hole", "drawn-clockwise-then-fixed"],
)
async def test_the_group_export_is_a_valid_feature_collection(
    aws: ArgusAws, schemas: dict[str, Any], boundary: dict[str, Any], fix: bool
) -> None:
    # Given a group with blocks and a patrol zone
    group = mapped_group(boundary, fix_orientation=fix)
    # When it is exported by the service and through the GraphQL field
    exported = geography.export_group(RESIDENT, group.id)
    served = await geo_json_field(group.id, RESIDENT)
    # Then both are the same JSON document
    assert served == json.loads(json.dumps(exported))
    # And it is a valid GeoJSON FeatureCollection, feature by feature
    for document in (exported, served):
        validate(document, schemas["FeatureCollection"])
        validate(document, schemas["GeoJSON"])
        for feature in document["features"]:
            validate(feature, schemas["Feature"])
            validate(feature["geometry"], schemas[feature["geometry"]["type"]])
        assert_rfc7946(document)
    # And it holds the boundary, the four blocks and the zone, in that order, with their ids
    kinds = [(f["properties"]["kind"], f["id"]) for f in exported["features"]]
    assert kinds[0] == ("group", group.id)
    assert [k for k, _ in kinds] == ["group"] + ["block"] * 4 + ["patrolZone"]
    assert exported["features"][0]["geometry"] == groups.get_group(OFFICER, group.id).boundary
    assert parse_area(exported["features"][0]["geometry"]).area_m2 == pytest.approx(
        group.area_km2 * 1e6, rel=1e-3
    )


async def test_a_multipolygon_group_exports_valid_geojson(aws: ArgusAws, schemas: dict[str, Any]) -> None:
    # Given a group of two separate parts (a main area and a detached close across the road)
    layout = demo_neighbourhood()
    detached = {
        "type": "Polygon",
        "coordinates": [[[x + 0.004, y] for x, y in layout.blocks[3].geojson["coordinates"][0]]],
    }
    boundary = {
        "type": "MultiPolygon",
        "coordinates": [layout.boundary.geojson["coordinates"], detached["coordinates"]],
    }
    group = groups.propose_group(RESIDENT, {"name": "Amwell Watch", "boundary": boundary})
    groups.add_block(OFFICER, {"group_id": group.id, "name": "Wharton Street", "area": detached})
    # When it is exported through GraphQL
    served = await geo_json_field(group.id, OFFICER)
    # Then it is valid GeoJSON with a MultiPolygon boundary
    validate(served, schemas["FeatureCollection"])
    validate(served["features"][0]["geometry"], schemas["MultiPolygon"])
    assert_rfc7946(served)
    assert [f["geometry"]["type"] for f in served["features"]] == ["MultiPolygon", "Polygon"]
