"""parse_area: every rejection reason, orientation, normalisation and the limits."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import argus.geo.geojson as geojson_module
import h3
import pytest
import shapely
from argus.geo import MAX_VERTICES, Area, parse_area
from argus.platform.errors import BadUserInput

from tests.unit.geo.shapes import feature, polygon, square

# A 100 m square near Charing Cross and a hole in it.
SHELL = square(-0.1280, 51.5070, 0.001)
HOLE = square(-0.1277, 51.5073, 0.0004, clockwise=True)
BOW_TIE = [[0.0, 0.0], [0.01, 0.01], [0.01, 0.0], [0.0, 0.01], [0.0, 0.0]]


def reason_of(obj: Any, **kwargs: Any) -> str:
    with pytest.raises(BadUserInput) as caught:
        parse_area(obj, **kwargs)
    assert caught.value.code == "BAD_USER_INPUT"
    assert caught.value.message  # a sentence a person can read
    return str(caught.value.details["reason"])


# --- Given bad input, When parsed, Then refused with a stable reason ----------------------------------

REJECTIONS: dict[str, list[Any]] = {
    "not_geojson": [
        "not an object",
        [SHELL],
        {"coordinates": [SHELL]},
        {"type": 7, "coordinates": [SHELL]},
        {"type": "Polygon"},
        {"type": "Polygon", "coordinates": "[[0, 0]]"},
        {"type": "Polygon", "coordinates": [42]},
        {"type": "MultiPolygon", "coordinates": [42]},
        {"type": "Feature", "geometry": polygon(SHELL)},  # no properties
        {"type": "Feature", "properties": {}},  # no geometry
        feature(polygon(SHELL), id=False),
        feature(polygon(SHELL), id={"foo": "bar"}),
        feature("polygon"),
    ],
    "wrong_type": [
        {"type": "Point", "coordinates": [0, 0]},
        {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
        {"type": "Polgon", "coordinates": [SHELL]},
        {"type": "GeometryCollection", "geometries": [polygon(SHELL)]},
        {"type": "FeatureCollection", "features": [feature(polygon(SHELL))]},
        feature({"type": "Point", "coordinates": [0, 0]}),
    ],
    "empty": [
        {"type": "Polygon", "coordinates": []},
        {"type": "MultiPolygon", "coordinates": []},
        {"type": "MultiPolygon", "coordinates": [[SHELL], []]},
        feature(None),
    ],
    "bad_bbox": [
        {**polygon(SHELL), "bbox": 42},
        {**polygon(SHELL), "bbox": [0, 0, 1]},
        {**polygon(SHELL), "bbox": [0, 10, 1, 5]},
        {**polygon(SHELL), "bbox": [0, 0, 1, 95]},
        {**polygon(SHELL), "bbox": ["0", 0, 1, 1]},
        feature(polygon(SHELL), bbox=[1, 2]),
    ],
    "too_few_positions": [polygon([[0, 0], [1, 0], [0, 0]]), polygon([])],
    "bad_position": [
        polygon([[100], [101.0, 0.0], [101.0, 1.0], [100.0, 1.0], [100.0, 0.0]]),
        polygon([[0, 0], ["1", 0], [1, 1], [0, 0]]),
        polygon([[0, 0], [1, 0, 0, 0], [1, 1], [0, 0]]),
        polygon([[0, 0], [True, 0], [1, 1], [0, 0]]),
        polygon([[0, 0], [math.nan, 0], [1, 1], [0, 0]]),
        polygon([[0, 0], [math.inf, 0], [1, 1], [0, 0]]),
        polygon([[0, 0], [10**400, 0], [1, 1], [0, 0]]),
        polygon([[0, 0], None, [1, 1], [0, 0]]),
        polygon([[0, 0], {"lon": 1, "lat": 0}, [1, 1], [0, 0]]),
    ],
    "coordinates_out_of_range": [
        polygon([[179, 0], [181, 0], [181, 1], [179, 0]]),
        polygon([[0, 89], [1, 91], [0, 90], [0, 89]]),
        polygon([[51.5, -0.1], [51.6, -0.1], [51.6, -190], [51.5, -0.1]]),
    ],
    "ring_not_closed": [polygon([[0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01]])],
    "self_intersection": [
        polygon(BOW_TIE),
        polygon([[0, 0], [0.02, 0], [0.02, 0.02], [0.01, 0], [0, 0.02], [0, 0]]),  # ring touches itself
        {"type": "MultiPolygon", "coordinates": [[square(0, 0, 0.02)], [square(0.01, 0.01, 0.02)]]},
    ],
    "hole_outside_shell": [polygon(SHELL, square(-0.1200, 51.5073, 0.0004, clockwise=True))],
    "invalid_geometry": [
        # a hole touching the shell at four points, cutting the interior into pieces
        polygon(square(0, 0, 0.02), [[0.01, 0], [0, 0.01], [0.01, 0.02], [0.02, 0.01], [0.01, 0]]),
        # a ring that collapses when rounded to 7 decimals
        polygon([[0, 0], [1e-9, 0], [1e-9, 1e-9], [0, 1e-9], [0, 0]]),
        # nested holes
        polygon(
            square(0, 0, 0.05),
            square(0.01, 0.01, 0.03, clockwise=True),
            square(0.02, 0.02, 0.01, clockwise=True),
        ),
    ],
    "wrong_orientation": [
        polygon(square(0, 0, 0.01, clockwise=True)),
        polygon(SHELL, square(-0.1277, 51.5073, 0.0004)),  # a counter-clockwise hole
        {"type": "MultiPolygon", "coordinates": [[SHELL], [square(1, 1, 0.01, clockwise=True)]]},
    ],
    "too_large": [polygon(square(100, 0, 1))],  # ~12,300 km² at the equator
}


@pytest.mark.parametrize(
    ("reason", "obj"),
    [(reason, obj) for reason, objs in REJECTIONS.items() for obj in objs],
    ids=[f"{reason}-{i}" for reason, objs in REJECTIONS.items() for i in range(len(objs))],
)
def test_each_rejection_has_its_reason(reason: str, obj: Any) -> None:
    assert reason_of(obj) == reason


def test_position_errors_point_at_the_position() -> None:
    with pytest.raises(BadUserInput) as caught:
        parse_area(
            feature({"type": "MultiPolygon", "coordinates": [[SHELL], [[*SHELL[:2], [0, "x"], *SHELL[2:]]]]})
        )
    assert caught.value.details == {
        "reason": "bad_position",
        "path": "geometry.coordinates[1][0][2]",
    }


def test_self_intersection_reports_where() -> None:
    with pytest.raises(BadUserInput) as caught:
        parse_area(polygon(BOW_TIE))
    assert caught.value.details["location"] == [0.005, 0.005]
    assert "intersects itself" in caught.value.message


def test_too_many_vertices_is_refused_before_any_position_is_read_or_geometry_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a 100k-position ring whose last position is garbage, and geometry construction booby-trapped
    ring: list[Any] = [[math.cos(i / 1e4), math.sin(i / 1e4)] for i in range(100_000)]
    ring[-1] = "garbage"

    def forbidden(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("geometry must not be built for an oversized polygon")

    monkeypatch.setattr(geojson_module, "Polygon", forbidden)
    monkeypatch.setattr(geojson_module, "MultiPolygon", forbidden)
    monkeypatch.setattr(geojson_module, "_normalised_ring", forbidden)
    # When parsed, Then refused on the count alone
    with pytest.raises(BadUserInput) as caught:
        parse_area(polygon(ring))
    assert caught.value.details == {"reason": "too_many_vertices", "limit": MAX_VERTICES, "actual": 100_000}


def test_exactly_the_vertex_limit_is_accepted() -> None:
    n = MAX_VERTICES - 1
    ring = [[0.05 * math.cos(2 * math.pi * i / n), 0.05 * math.sin(2 * math.pi * i / n)] for i in range(n)]
    area = parse_area(polygon([*ring, ring[0]]))
    assert area.vertex_count == MAX_VERTICES


def test_the_size_limit_can_be_lifted_or_tightened() -> None:
    big = polygon(square(100, 0, 1))
    assert parse_area(big, max_area_m2=None).area_m2 == pytest.approx(12_364e6, rel=0.01)
    with pytest.raises(BadUserInput) as caught:
        parse_area(polygon(SHELL), max_area_m2=1_000)
    assert caught.value.details["reason"] == "too_large"
    assert caught.value.details["maxAreaM2"] == 1_000


# --- orientation ---------------------------------------------------------------------------------------


def test_wrong_orientation_offers_the_fix() -> None:
    with pytest.raises(BadUserInput) as caught:
        parse_area(polygon(square(0, 0, 0.01, clockwise=True)))
    assert caught.value.details["fix"] == "fixOrientation"
    assert caught.value.details["path"] == "coordinates[0]"
    assert "fixOrientation" in caught.value.message


def test_fix_orientation_reverses_wrong_rings_and_says_so() -> None:
    # Given a clockwise shell with a counter-clockwise hole
    cw_shell, ccw_hole = square(-0.1280, 51.5070, 0.001, clockwise=True), square(-0.1277, 51.5073, 0.0004)
    # When parsed with the fix
    area = parse_area(polygon(cw_shell, ccw_hole), fix_orientation=True)
    # Then the rings follow the right-hand rule, the shape is the same, and the Area says it was fixed
    assert area.orientation_fixed
    shell, hole = (shapely.LinearRing(ring) for ring in area.geojson["coordinates"])
    assert shell.is_ccw and not hole.is_ccw
    rounded = [(round(x, 7), round(y, 7)) for x, y in cw_shell]
    assert sorted(map(tuple, area.geojson["coordinates"][0])) == sorted(rounded)
    assert not parse_area(polygon(SHELL, HOLE), fix_orientation=True).orientation_fixed


# --- accepted shapes and normalisation -------------------------------------------------------------------


def test_polygon_with_hole() -> None:
    area = parse_area(polygon(SHELL, HOLE))
    assert area.type == "Polygon"
    assert len(area.geometry.interiors) == 1
    assert area.covers(-0.1279, 51.5071) and not area.covers(-0.1275, 51.5075)
    assert area.covers(-0.1277, 51.5075)  # on the hole's edge: covered


def test_multipolygon_and_feature() -> None:
    multi = {"type": "MultiPolygon", "coordinates": [[SHELL, HOLE], [square(-0.1260, 51.5070, 0.001)]]}
    area = parse_area(feature(multi, id="g1", title="foreign member"))
    assert area.geojson["type"] == "MultiPolygon"
    assert len(area.geojson["coordinates"]) == 2
    assert area.bbox == pytest.approx((-0.1280, 51.5070, -0.1250, 51.5080))


def test_normalisation() -> None:
    # Given 3D positions with excess precision, ints, a repeated position, -0.0, Decimals and extra members
    ring = [
        [-0.0, 0, 5],
        [Decimal("0.012345678"), 0, 5],
        [0.012345678, 0.01, 5],
        [0.012345678, 0.01, 5],
        [0, 0.01, 5],
        [-0.0, 0, 5],
    ]
    area = parse_area({"type": "Polygon", "coordinates": [ring], "bbox": [0, 0, 1, 1], "title": "x"})
    # Then positions are 2D floats rounded to 7 decimals, without consecutive duplicates; only type and
    # coordinates remain
    assert area.geojson == {
        "type": "Polygon",
        "coordinates": [[[0.0, 0.0], [0.0123457, 0.0], [0.0123457, 0.01], [0.0, 0.01], [0.0, 0.0]]],
    }
    assert all(type(v) is float for pos in area.geojson["coordinates"][0] for v in pos)
    assert math.copysign(1, area.geojson["coordinates"][0][0][0]) == 1
    assert area.vertex_count == 5


def test_parsing_is_idempotent() -> None:
    first = parse_area(polygon(square(-0.12345678912, 51.5, 0.001, clockwise=True)), fix_orientation=True)
    second = parse_area(first.geojson)
    assert second.geojson == first.geojson
    assert not second.orientation_fixed


def test_area_matches_h3_cell_area() -> None:
    # The spherical area agrees with H3's own cell area (same authalic sphere)
    for lat in (0.0, 51.5, 70.0):
        cell = h3.latlng_to_cell(lat, 10.0, 7)
        ring = [[lng, la] for la, lng in h3.cell_to_boundary(cell)]
        area = parse_area(polygon([*ring, ring[0]]))
        assert area.area_m2 == pytest.approx(h3.cell_area(cell, "m^2"), rel=1e-3)


def test_area_is_a_frozen_value() -> None:
    area = parse_area(polygon(SHELL))
    assert isinstance(area, Area)
    with pytest.raises(AttributeError):
        area.area_m2 = 0  # type: ignore[misc]
