"""Binning points to H3 cells and the ring-1 neighbour structure."""

from __future__ import annotations

import numpy as np
import pytest
from argus.patterns.stats import (
    bin_points,
    cell_areas_km2,
    cells_in_box,
    locate,
    ring1_neighbours,
    to_local_metres,
)
from argus.patterns.stats.synthetic import city_box
from h3.api import basic_int as h3

from tests.unit.patterns.conftest import Grid


def test_bin_points_counts_every_point_once() -> None:
    rng = np.random.default_rng(4)
    south, west, north, east = city_box(5.0)
    lat = south + (north - south) * rng.random(5000)
    lng = west + (east - west) * rng.random(5000)

    binned = bin_points(lat, lng, 9)

    assert binned.counts.sum() == 5000
    assert np.all(np.diff(binned.cells.astype(np.float64)) > 0)
    for k in range(0, 5000, 97):
        assert binned.cells[binned.point_cell[k]] == h3.latlng_to_cell(lat[k], lng[k], 9)


def test_neighbours_are_the_shared_edges_within_the_set(city_grid: Grid) -> None:
    nb = city_grid.neighbours
    cells = city_grid.cells
    lists = nb.as_lists()
    for i in range(0, nb.n, 37):
        expected = sorted(
            int(p) for p in locate(cells, np.array(h3.grid_ring(int(cells[i]), 1), dtype=np.uint64)) if p >= 0
        )
        assert lists[i] == expected
        assert i not in lists[i]
    # symmetric, interior cells have six neighbours, only edge cells fewer
    pairs = set(zip(nb.row_ids.tolist(), nb.indices.tolist(), strict=True))
    assert all((j, i) in pairs for i, j in pairs)
    assert np.bincount(nb.cardinality, minlength=7)[6] > 0.9 * nb.n


def test_ring1_requires_sorted_distinct_cells() -> None:
    cells = cells_in_box(*city_box(2.0), 9)
    with pytest.raises(ValueError, match="sorted"):
        ring1_neighbours(cells[::-1])


def test_an_isolated_cell_is_an_island() -> None:
    a = h3.latlng_to_cell(51.5, -0.12, 9)
    far = h3.latlng_to_cell(51.6, -0.12, 9)
    nb = ring1_neighbours(np.array(sorted([a, far]), dtype=np.uint64))
    assert nb.cardinality.tolist() == [0, 0]


def test_lag_sums_neighbours_for_one_map_or_many(city_grid: Grid) -> None:
    nb = city_grid.neighbours
    y = city_grid.counts.astype(np.float64)
    lists = nb.as_lists()
    lag = nb.lag(y)
    assert all(lag[i] == y[lists[i]].sum() for i in range(0, nb.n, 53))
    both = nb.lag(np.column_stack([y, 2 * y]))
    np.testing.assert_array_equal(both[:, 0], lag)
    np.testing.assert_array_equal(both[:, 1], 2 * lag)


def test_cells_in_box_lie_wholly_inside() -> None:
    south, west, north, east = box = city_box(3.0)
    cells = cells_in_box(*box, 9)
    assert cells.size > 50
    for c in cells.tolist():
        assert all(south <= la <= north and west <= lo <= east for la, lo in h3.cell_to_boundary(c))
    areas = cell_areas_km2(cells)
    assert 0.08 < areas.min() and areas.max() < 0.12  # resolution 9 is ~0.1 km²


def test_locate_marks_absent_cells() -> None:
    cells = np.array([3, 7, 9], dtype=np.uint64)
    assert locate(cells, np.array([9, 4, 3, 10], dtype=np.uint64)).tolist() == [2, -1, 0, -1]


def test_local_projection_is_metric() -> None:
    x, y = to_local_metres(np.array([51.5, 51.509]), np.array([-0.12, -0.12]), origin=(51.5, -0.12))
    assert x.tolist() == [0.0, 0.0]
    assert y[1] == pytest.approx(1000.8, abs=0.5)
