"""The H3 point index answers exactly what testing every polygon with ``covers`` answers."""

from __future__ import annotations

import json
import math
from typing import Any

import h3
import numpy as np
import pytest
import shapely
from argus.geo import (
    INDEX_RESOLUTION,
    Area,
    AreaIndex,
    SyntheticCity,
    WatchAreaIndex,
    cell_for_point,
    cells_for,
    parse_area,
)
from argus.geo.index import CELL_MARGIN_DEG, MAX_RESOLUTION, MIN_RESOLUTION
from argus.platform.errors import BadUserInput
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.unit.geo.shapes import polygon, square


def brute_force(areas: list[tuple[Any, Area]], lon: float, lat: float) -> list[Any]:
    """The baseline: every polygon, shapely covers."""
    point = shapely.Point(lon, lat)
    return [key for key, area in areas if area.geometry.covers(point)]


@pytest.fixture(scope="module")
def city_areas(small_city: SyntheticCity) -> list[tuple[str, Area]]:
    return small_city.group_areas() + [(block_id, area) for block_id, _, area in small_city.block_areas()]


@pytest.fixture(scope="module")
def city_index(city_areas: list[tuple[str, Area]]) -> AreaIndex[str]:
    return AreaIndex(city_areas)


def points_on(areas: list[tuple[Any, Area]]) -> st.SearchStrategy[tuple[float, float]]:
    """Vertices, points on edges (exactly, at midpoints of axis-aligned edges) and near edges."""

    @st.composite
    def pick(draw: st.DrawFn) -> tuple[float, float]:
        _, area = draw(st.sampled_from(areas))
        coords = shapely.get_coordinates(area.geometry)
        i = draw(st.integers(0, len(coords) - 2))
        (x0, y0), (x1, y1) = coords[i], coords[i + 1]
        t = draw(st.sampled_from([0.0, 0.5, 1.0]) | st.floats(0, 1))
        nudge = draw(st.sampled_from([0.0, 0.0, 1e-12, -1e-12, 1e-9, -1e-9, 2e-7, -2e-7]))
        return float(x0 + t * (x1 - x0) + nudge), float(y0 + t * (y1 - y0) - nudge)

    return pick()


def points_in(bbox: tuple[float, float, float, float], pad: float) -> st.SearchStrategy[tuple[float, float]]:
    west, south, east, north = bbox
    return st.tuples(
        st.floats(west - pad, east + pad, allow_nan=False),
        st.floats(south - pad, north + pad, allow_nan=False),
    )


ANYWHERE = st.tuples(st.floats(-180, 180), st.floats(-89.9, 89.9))


# --- Given a city of groups and blocks, When looked up, Then identical to brute force -------------------


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_lookup_equals_brute_force_in_a_city(
    data: st.DataObject,
    city_areas: list[tuple[str, Area]],
    city_index: AreaIndex[str],
    small_city: SyntheticCity,
) -> None:
    lon, lat = data.draw(points_on(city_areas) | points_in(small_city.bbox, 0.01) | ANYWHERE)
    assert city_index.lookup(lon, lat) == brute_force(city_areas, lon, lat)


@st.composite
def random_area(draw: st.DrawFn, centre: tuple[float, float]) -> Area:
    """A star-shaped polygon (5 m to 3 km across), or an axis-aligned rectangle with a hole."""
    lon0 = centre[0] + draw(st.floats(-0.02, 0.02))
    lat0 = centre[1] + draw(st.floats(-0.02, 0.02))
    radius = draw(st.floats(5e-5, 0.03))
    if draw(st.booleans()):
        n = draw(st.integers(3, 24))
        angles = sorted(
            draw(st.lists(st.floats(0, 2 * math.pi, exclude_max=True), min_size=n, max_size=n, unique=True))
        )
        radii = draw(st.lists(st.floats(0.2, 1.0), min_size=n, max_size=n))
        ring = [
            [lon0 + radius * r * math.cos(a), lat0 + radius * r * math.sin(a)]
            for a, r in zip(angles, radii, strict=True)
        ]
        geojson = polygon([*ring, ring[0]])
    else:
        step = 1e-4
        w, s = round(lon0 / step) * step, round(lat0 / step) * step
        size = max(4, round(radius / step)) * step
        geojson = polygon(square(w, s, size), square(w + size / 4, s + size / 4, size / 2, clockwise=True))
    try:
        return parse_area(geojson, fix_orientation=True)
    except BadUserInput:
        assume(False)
        raise


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    centre=st.sampled_from([(-0.1276, 51.5072), (151.2, -33.87), (18.07, 69.65), (-77.04, 38.9)]),
)
def test_lookup_equals_brute_force_for_random_overlapping_shapes(
    data: st.DataObject, centre: tuple[float, float]
) -> None:
    areas = [(i, data.draw(random_area(centre))) for i in range(data.draw(st.integers(1, 5)))]
    index = AreaIndex(areas)
    bbox = (centre[0] - 0.06, centre[1] - 0.06, centre[0] + 0.06, centre[1] + 0.06)
    for _ in range(40):
        lon, lat = data.draw(points_on(areas) | points_in(bbox, 0.0))
        assert index.lookup(lon, lat) == brute_force(areas, lon, lat)


@pytest.mark.parametrize("west", [179.99, -180.0])
def test_areas_beside_the_antimeridian(west: float) -> None:
    areas = [("fiji", parse_area(polygon(square(west, -16.5, 0.01))))]
    index = AreaIndex(areas)
    rng = np.random.default_rng(4)
    points = [
        (float(x), float(y))
        for x, y in zip(
            rng.uniform(west - 0.01, west + 0.02, 2000), rng.uniform(-16.51, -16.48, 2000), strict=True
        )
    ]
    points += [(180.0, -16.495), (-180.0, -16.495), (west, -16.5), (west + 0.01, -16.49)]
    for lon, lat in points:
        if -180 <= lon <= 180:
            assert index.lookup(lon, lat) == brute_force(areas, lon, lat)


# --- cells_for: what the domain writes per cell ---------------------------------------------------------


def test_cells_for_answers_every_covered_point(small_city: SyntheticCity) -> None:
    area = small_city.groups[3].boundary
    interior, boundary = cells_for(area)
    assert interior and boundary and not interior & boundary
    rng = np.random.default_rng(9)
    west, south, east, north = area.bbox
    for lon, lat in zip(rng.uniform(west, east, 3000), rng.uniform(south, north, 3000), strict=True):
        cell = cell_for_point(float(lon), float(lat))
        if area.covers(float(lon), float(lat)):
            assert cell in interior or cell in boundary
        if cell in interior:
            assert area.covers(float(lon), float(lat))


def test_an_area_smaller_than_a_cell_has_boundary_cells_only() -> None:
    tiny = parse_area(polygon(square(-0.12761, 51.50721, 0.00002)))  # ~1.4 m x 2.2 m
    interior, boundary = cells_for(tiny)
    assert not interior
    assert cell_for_point(-0.12760, 51.50722) in boundary


def test_margin_covers_the_bend_of_cell_edges() -> None:
    """H3 edges are great-circle arcs; shapely sees straight lon/lat lines. The gap must stay far inside
    the margin at every supported resolution, up to 80° latitude."""

    def unit(lat: float, lng: float) -> np.ndarray:
        la, ln = math.radians(lat), math.radians(lng)
        return np.array([math.cos(la) * math.cos(ln), math.cos(la) * math.sin(ln), math.sin(la)])

    worst = 0.0
    for res in range(MIN_RESOLUTION, MAX_RESOLUTION + 1):
        for lat in (0.0, 45.0, 51.5, 70.0, 80.0):
            for cell in h3.grid_disk(h3.latlng_to_cell(lat, 10.0, res), 2):
                corners = h3.cell_to_boundary(cell)
                for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
                    mid = unit(*a) + unit(*b)
                    mid /= np.linalg.norm(mid)
                    arc = (math.degrees(math.asin(mid[2])), math.degrees(math.atan2(mid[1], mid[0])))
                    worst = max(worst, abs(arc[0] - (a[0] + b[0]) / 2), abs(arc[1] - (a[1] + b[1]) / 2))
    assert worst < CELL_MARGIN_DEG / 4


# --- storage form -------------------------------------------------------------------------------------------


def test_to_dict_round_trips_through_json(
    city_areas: list[tuple[str, Area]], city_index: AreaIndex[str]
) -> None:
    data = json.loads(json.dumps(city_index.to_dict()))
    assert data["format"] == "argus.geo.area-index/1" and data["resolution"] == INDEX_RESOLUTION
    restored = AreaIndex.from_dict(data, dict(city_areas))
    assert restored.stats() == city_index.stats()
    rng = np.random.default_rng(2)
    west, south, east, north = city_areas[0][1].bbox
    for lon, lat in zip(rng.uniform(west, east, 500), rng.uniform(south, north, 500), strict=True):
        assert restored.lookup(float(lon), float(lat)) == city_index.lookup(float(lon), float(lat))


def test_from_dict_needs_every_area(city_areas: list[tuple[str, Area]], city_index: AreaIndex[str]) -> None:
    with pytest.raises(ValueError, match="missing"):
        AreaIndex.from_dict(city_index.to_dict(), dict(city_areas[1:]))
    with pytest.raises(ValueError, match="not an"):
        AreaIndex.from_dict({"format": "other"}, {})


def test_only_string_keys_serialise() -> None:
    with pytest.raises(TypeError):
        AreaIndex([(1, parse_area(polygon(square(0, 0, 0.001))))]).to_dict()


# --- misuse ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lon", "lat"), [(181, 0), (0, -91), (math.nan, 0), (0, math.inf)])
def test_bad_points_are_refused(city_index: AreaIndex[str], lon: float, lat: float) -> None:
    for lookup in (city_index.lookup, cell_for_point):
        with pytest.raises(BadUserInput) as caught:
            lookup(lon, lat)
        assert caught.value.details["reason"] == "coordinates_out_of_range"


def test_adding_after_the_build_answers_like_building_at_once(city_areas: list[tuple[str, Area]]) -> None:
    grown: AreaIndex[str] = AreaIndex(city_areas[:200])
    for key, area in city_areas[200:]:
        grown.add(key, area)
    rng = np.random.default_rng(6)
    west, south, east, north = city_areas[0][1].bbox
    for lon, lat in zip(rng.uniform(west, east, 500), rng.uniform(south, north, 500), strict=True):
        assert grown.lookup(float(lon), float(lat)) == brute_force(city_areas, float(lon), float(lat))


def test_duplicate_keys_and_bad_resolutions_are_refused() -> None:
    area = parse_area(polygon(square(0, 0, 0.001)))
    with pytest.raises(ValueError, match="already"):
        AreaIndex([("a", area), ("a", area)])
    with pytest.raises(ValueError, match="resolution"):
        AreaIndex([("a", area)], resolution=5)


# --- the hierarchy: which group, which block -------------------------------------------------------------


def test_locate_finds_group_and_block(small_city: SyntheticCity) -> None:
    index = WatchAreaIndex(small_city.group_areas(), small_city.block_areas())
    group = small_city.groups[7]
    block = group.blocks[4]
    centre = block.area.geometry.representative_point()
    placement = index.locate(centre.x, centre.y)
    assert (placement.group, placement.block) == (group.id, block.id)
    assert placement.groups == (group.id,) and placement.blocks == (block.id,)
    assert index.locate(2.35, 48.85) == ((), (), None, None)


def test_locate_on_a_corner_shared_by_four_blocks_picks_the_smallest_ids(small_city: SyntheticCity) -> None:
    index = WatchAreaIndex(small_city.group_areas(), small_city.block_areas())
    group = small_city.groups[0]
    corner = group.blocks[0].area.geojson["coordinates"][0][2]  # shared by blocks 1, 2, 5 and 6
    placement = index.locate(*corner)
    assert set(placement.blocks) == {f"{group.id}-b{n:02d}" for n in (1, 2, 5, 6)}
    assert placement.block == f"{group.id}-b01" and placement.group == group.id


def test_blocks_of_unknown_groups_are_refused(small_city: SyntheticCity) -> None:
    with pytest.raises(ValueError, match="no indexed group"):
        WatchAreaIndex([], small_city.block_areas()[:1])
