"""feature_collection: RFC 7946 output that validates against the GeoJSON schema and opens in map tools."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from argus.geo import demo_neighbourhood, feature_collection, parse_area


@pytest.fixture(scope="module")
def schema(shared_dir: Path) -> dict[str, Any]:
    path = shared_dir / "standards" / "geojson" / "schema" / "FeatureCollection.json"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return json.loads(path.read_text(encoding="utf-8"))


def demo_features() -> list[tuple[dict[str, Any], dict[str, Any], str]]:
    group = demo_neighbourhood()
    return [(group.boundary.geojson, {"kind": "group", "name": group.name}, group.id)] + [
        (block.geojson, {"kind": "block", "name": block.name}, block.id) for block in group.blocks
    ]


def test_blocks_export_validates_and_round_trips(schema: dict[str, Any]) -> None:
    collection = feature_collection(demo_features(), bbox=True)
    jsonschema.validate(collection, schema)
    assert "crs" not in collection
    text = json.dumps(collection)
    again = json.loads(text)
    assert again == collection
    for feature in again["features"]:
        assert parse_area(feature).geojson == feature["geometry"]  # lon/lat order survives


def test_bbox_covers_every_feature() -> None:
    collection = feature_collection(demo_features(), bbox=True)
    west, south, east, north = collection["bbox"]
    group = demo_neighbourhood().boundary
    assert (west, south, east, north) == pytest.approx(group.bbox)
    assert all(len(f["bbox"]) == 4 for f in collection["features"])
    assert "bbox" not in feature_collection(demo_features())


def test_decimals_from_dynamodb_become_numbers(schema: dict[str, Any]) -> None:
    geometry = {"type": "Point", "coordinates": [Decimal("-0.1276"), Decimal("51")]}
    collection = feature_collection(
        [(geometry, {"count": Decimal("3"), "ratio": Decimal("0.5")}, Decimal("7"))]
    )
    jsonschema.validate(collection, schema)
    feature = collection["features"][0]
    assert feature["geometry"]["coordinates"] == [-0.1276, 51]
    assert feature["properties"] == {"count": 3, "ratio": 0.5}
    assert feature["id"] == 7
    json.dumps(collection)


def test_null_geometry_properties_and_id() -> None:
    collection = feature_collection([(None, None, None)])
    assert collection["features"] == [{"type": "Feature", "geometry": None, "properties": None}]
    assert feature_collection([]) == {"type": "FeatureCollection", "features": []}
    assert "bbox" not in feature_collection([(None, None, None)], bbox=True)


@pytest.mark.parametrize(
    "bad",
    [
        ({"type": "Point", "coordinates": ["0", "0"]}, {}, "a"),
        ({"type": "Point", "coordinates": [float("nan"), 0]}, {}, "a"),
        ({"type": "Point", "coordinates": [0]}, {}, "a"),
        ({"coordinates": [0, 0]}, {}, "a"),
        ({"type": "Point", "coordinates": [0, 0]}, {}, True),
        ({"type": "Point", "coordinates": [0, 0]}, [1], "a"),
    ],
)
def test_programming_errors_are_refused(bad: Any) -> None:
    with pytest.raises(ValueError):
        feature_collection([bad])
