"""A study area as H3 cells: every cell lying wholly inside, empty or not; cells the boundary cuts left
out and counted."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from argus.patterns import evaluation
from argus.patterns.stats import box_geometry, cells_in_box, study_cells
from argus.patterns.stats.synthetic import city_box
from h3.api import basic_int as h3
from shapely import geometry as shapes


def cell_polygon(cell: int) -> shapes.Polygon:
    return shapes.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])


@pytest.mark.parametrize("resolution", [9, 10])
def test_whole_cells_of_an_irregular_area(resolution: int) -> None:
    geometry = evaluation.irregular_area()
    polygon = shapes.shape(geometry)
    area = study_cells(geometry, resolution)
    # every analysed cell lies inside the area (up to a centimetre of rounding)
    assert all(polygon.buffer(1e-7).contains(cell_polygon(c)) for c in area.cells.tolist())
    # and every other cell the area touches is cut by its boundary
    box = polygon.bounds
    candidates = h3.h3shape_to_cells_experimental(
        h3.geo_to_h3shape(shapes.mapping(shapes.box(*box).buffer(0.01))), resolution, "center"
    )
    whole = set(area.cells.tolist())
    cut = [c for c in candidates if c not in whole and polygon.intersection(cell_polygon(c)).area > 1e-12]
    assert all(not polygon.contains(cell_polygon(c)) for c in cut)
    assert abs(len(cut) - area.cut) <= 0.02 * area.cut  # h3's "overlap" and shapely's agree
    assert area.area_km2 == pytest.approx(float(np.sum([h3.cell_area(c, "km^2") for c in whole])))


def test_a_box_is_the_cells_wholly_inside_it() -> None:
    box = city_box(5.0)
    area = study_cells(box_geometry(*box), 9)
    assert np.array_equal(area.cells, cells_in_box(*box, 9))
    south, west, north, east = box
    for cell in area.cells.tolist():
        assert all(south <= la <= north and west <= lo <= east for la, lo in h3.cell_to_boundary(cell))


def test_points_in_cut_cells_are_not_counted() -> None:
    geometry = evaluation.irregular_area()
    area = study_cells(geometry, 9)
    inside_a_cell = [h3.cell_to_latlng(int(c)) for c in area.cells[:5].tolist()]
    polygon = shapes.shape(geometry)
    # a point inside the area but in a cut cell
    edge = next(
        p
        for p in shapely.get_coordinates(polygon.exterior.segmentize(0.0005)).tolist()
        if area.locate_points(np.array([p[1]]), np.array([p[0]]))[0] < 0
    )
    lat = np.array([la for la, _ in inside_a_cell] + [edge[1]])
    lng = np.array([lo for _, lo in inside_a_cell] + [edge[0]])
    counts = area.counts(lat, lng)
    assert counts.sum() == 5 and counts[:5].tolist() == [1] * 5
