"""Shared fixtures of the pattern-statistics tests: one synthetic city, binned once per session."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from argus.patterns.stats import Neighbours, cells_in_box, locate, points_to_cells, ring1_neighbours
from argus.patterns.stats.grid import CellArray, IntArray
from argus.patterns.stats.synthetic import Incidents, synthetic_city


@dataclass(frozen=True)
class Grid:
    """Incidents counted on the H3 cells lying wholly inside the city (no partial cells at the edge)."""

    incidents: Incidents
    cells: CellArray
    point_cell: IntArray  # -1 for points in no study cell
    counts: IntArray
    neighbours: Neighbours


def grid_of(incidents: Incidents, resolution: int) -> Grid:
    cells = cells_in_box(*incidents.box, resolution)
    point_cell = locate(cells, points_to_cells(incidents.lat, incidents.lng, resolution))
    counts = np.bincount(point_cell[point_cell >= 0], minlength=cells.size).astype(np.int64)
    return Grid(incidents, cells, point_cell, counts, ring1_neighbours(cells))


@pytest.fixture(scope="session")
def city() -> Incidents:
    """300,000 incidents in a 20 km square: eight planted hotspots over a uniform background."""
    return synthetic_city(0)


@pytest.fixture(scope="session")
def city_grid(city: Incidents) -> Grid:
    return grid_of(city, 9)
