"""parse_area against the GeoJSON fixtures of geojson/schema (../shared/standards/geojson/fixtures).

Decisions this test pins (see docs/geo.md):
* every invalid fixture is refused, even with the most lenient options;
* every valid Polygon/MultiPolygon fixture is accepted through the path a client uses when it lets Argus fix
  ring orientation (``fixOrientation: true``) — the MultiPolygon fixtures have counter-clockwise holes, which
  the API refuses unless asked to fix them. The fixtures are ~12,000 km² each, so they are accepted with the
  size limit lifted, and with the watch-group limit (2,500 km²) the only refusal is ``too_large``;
* the valid ``feature/empty-polygon`` fixture (a Polygon with no rings) is refused with reason ``empty``: it
  is valid GeoJSON but no area, and no watch group can have an empty boundary;
* valid fixtures of other types are refused with ``wrong_type`` (or ``empty`` for a null geometry).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from argus.geo import parse_area
from argus.platform.errors import BadUserInput

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "standards" / "geojson" / "fixtures"


def fixture_names(kind: str) -> list[str]:
    """Relative paths like ``polygon/1d.json``; a placeholder when the shared directory is absent, so the
    test runs, asks for ``shared_dir`` and is skipped with its reason."""
    root = FIXTURES / kind
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*.json")) if root.is_dir() else []
    return names or ["(shared standards absent)"]


def load(shared_dir: Path, kind: str, name: str) -> Any:
    path = shared_dir / "standards" / "geojson" / "fixtures" / kind / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return json.loads(path.read_text(encoding="utf-8"))


def geometry_type(obj: Any) -> str | None:
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        return geometry_type(obj.get("geometry"))
    return obj.get("type") if isinstance(obj, dict) else None


def reason(obj: Any, **options: Any) -> str | None:
    try:
        parse_area(obj, **options)
    except BadUserInput as exc:
        return str(exc.details["reason"])
    return None


# The reason each invalid Polygon/MultiPolygon fixture gets; every other invalid fixture just needs refusing.
EXPECTED_INVALID = {
    "polygon/1d.json": "bad_position",
    "polygon/bad-type.json": "wrong_type",
    "polygon/no-coordinates.json": "not_geojson",
    "polygon/no-type.json": "not_geojson",
    "multipolygon/1d.json": "bad_position",
    "multipolygon/bad-bbox.json": "bad_bbox",
    "multipolygon/no-coordinates.json": "not_geojson",
    "multipolygon/no-type.json": "not_geojson",
}


@pytest.mark.parametrize("name", fixture_names("invalid"))
def test_every_invalid_fixture_is_refused(shared_dir: Path, name: str) -> None:
    obj = load(shared_dir, "invalid", name)
    got = reason(obj, fix_orientation=True, max_area_m2=None)
    assert got is not None, f"invalid fixture {name} was accepted"
    assert got == EXPECTED_INVALID.get(name, got)


def test_the_expected_invalid_polygon_fixtures_exist(shared_dir: Path) -> None:
    names = set(fixture_names("invalid"))
    assert set(EXPECTED_INVALID) <= names


@pytest.mark.parametrize("name", fixture_names("valid"))
def test_every_valid_fixture_gets_the_documented_answer(shared_dir: Path, name: str) -> None:
    obj = load(shared_dir, "valid", name)
    kind = geometry_type(obj)
    if name == "feature/empty-polygon.json":
        assert reason(obj, fix_orientation=True, max_area_m2=None) == "empty"
    elif kind in ("Polygon", "MultiPolygon"):
        # Accepted by the client path with fixOrientation (size limit lifted: see the module docstring) …
        area = parse_area(obj, fix_orientation=True, max_area_m2=None)
        assert area.type == kind
        schema = json.loads((shared_dir / "standards" / "geojson" / "schema" / f"{kind}.json").read_text())
        jsonschema.validate(area.geojson, schema)
        # … and with the watch-group size limit, refused only for its size.
        assert reason(obj, fix_orientation=True) in (None, "too_large")
    else:
        assert reason(obj, fix_orientation=True, max_area_m2=None) in ("wrong_type", "empty"), name
