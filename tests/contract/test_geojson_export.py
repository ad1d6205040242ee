"""feature_collection output against the official GeoJSON JSON Schemas (geojson/schema)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from argus.geo import demo_neighbourhood, feature_collection, parse_area, synthetic_city


@pytest.fixture(scope="module")
def schemas(shared_dir: Path) -> dict[str, Any]:
    root = shared_dir / "standards" / "geojson" / "schema"
    if not root.is_dir():
        pytest.skip(f"{root} is absent")
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in root.glob("*.json")}


def validate(instance: Any, schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_watch_groups_and_blocks(schemas: dict[str, Any]) -> None:
    city = synthetic_city(1, groups=20)
    rows = [(g.boundary.geojson, {"kind": "group", "name": g.name}, g.id) for g in city.groups]
    rows += [
        (b.geojson, {"kind": "block", "name": b.name, "group": g.id}, b.id)
        for g in city.groups
        for b in g.blocks
    ]
    for bbox in (False, True):
        collection = feature_collection(rows, bbox=bbox)
        validate(collection, schemas["FeatureCollection"])
        validate(collection, schemas["GeoJSON"])
        assert len(collection["features"]) == 20 * 13


def test_demo_neighbourhood_with_points_and_nulls(schemas: dict[str, Any]) -> None:
    group = demo_neighbourhood()
    rows: list[Any] = [(b.geojson, {"name": b.name}, b.id) for b in group.blocks]
    rows.append(
        ({"type": "Point", "coordinates": [Decimal("-0.1055"), Decimal("51.5282")]}, {"n": Decimal(2)}, 1)
    )
    rows.append((None, None, None))
    collection = feature_collection(rows, bbox=True)
    validate(collection, schemas["FeatureCollection"])
    for feature in collection["features"]:
        validate(feature, schemas["Feature"])
    text = json.dumps(collection)  # numbers are numbers, not strings
    assert '"crs"' not in text and '"-0.1055"' not in text


def test_parsed_fixtures_export_valid_geojson(shared_dir: Path, schemas: dict[str, Any]) -> None:
    root = shared_dir / "standards" / "geojson" / "fixtures" / "valid"
    rows = []
    for kind in ("polygon", "multipolygon"):
        for path in sorted((root / kind).glob("*.json")):
            area = parse_area(json.loads(path.read_text()), fix_orientation=True, max_area_m2=None)
            rows.append((area.geojson, {"fixture": f"{kind}/{path.name}"}, path.stem))
    assert rows
    validate(feature_collection(rows, bbox=True), schemas["FeatureCollection"])
