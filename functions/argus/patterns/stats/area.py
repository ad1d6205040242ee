"""The study area of an analysis as H3 cells: every cell lying wholly inside the area, empty or not.

Why whole cells only (docs/patterns.md, *The study area*): the randomisation null of Gi* treats every
analysed cell as exchangeable — under complete spatial randomness each must expect the same count. A
cell cut by the boundary has only part of its area inside, so it collects fewer incidents and, analysed,
shows up as a (meaningless) cold spot; its low counts in the null pool also make its whole-cell
neighbours look hot. Cut cells are therefore left out of everything — decisions, neighbourhoods and the
null pool — and the incidents in them are counted as outside the analysed cells. Cells are taken from H3's
polygon fill with full containment (``h3shape_to_cells_experimental(..., contain="full")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import h3 as h3_str
import numpy as np
import numpy.typing as npt
from h3.api import basic_int as h3

from argus.patterns.stats.grid import CellArray, FloatArray, IntArray, locate, points_to_cells


@dataclass(frozen=True)
class StudyCells:
    """The analysed cells of an area at one resolution: ``cells`` (sorted H3 ``uint64``) lying wholly
    inside it, their ``areas_km2``, and how many cells the boundary cuts (``cut``: left out)."""

    resolution: int
    cells: CellArray
    areas_km2: FloatArray
    cut: int

    @property
    def area_km2(self) -> float:
        """The area analysed: the sum of the whole cells' areas (the ``A`` of PAI)."""
        return float(self.areas_km2.sum())

    @property
    def size(self) -> int:
        return int(self.cells.shape[0])

    def locate_points(self, lat: npt.ArrayLike, lng: npt.ArrayLike) -> IntArray:
        """Position of each point's cell among ``cells``, or -1 for a point outside every analysed cell."""
        return locate(self.cells, points_to_cells(lat, lng, self.resolution))

    def counts(self, lat: npt.ArrayLike, lng: npt.ArrayLike) -> IntArray:
        """Points per analysed cell (points outside every analysed cell are not counted)."""
        position = self.locate_points(lat, lng)
        return np.bincount(position[position >= 0], minlength=self.size).astype(np.int64)


def study_cells(geometry: dict[str, Any], resolution: int) -> StudyCells:
    """The cells of a GeoJSON Polygon or MultiPolygon (WGS 84 longitude/latitude) at ``resolution``."""
    shape = h3_str.geo_to_h3shape(geometry)
    whole = h3.h3shape_to_cells_experimental(shape, resolution, "full")
    touching = h3.h3shape_to_cells_experimental(shape, resolution, "overlap")
    cells = np.unique(np.asarray(list(whole), dtype=np.uint64))
    areas = np.array([h3.cell_area(int(c), "km^2") for c in cells.tolist()], dtype=np.float64)
    return StudyCells(resolution, cells, areas, len(set(touching)) - cells.shape[0])


def box_geometry(south: float, west: float, north: float, east: float) -> dict[str, Any]:
    """A lat/lng box as a GeoJSON Polygon (counter-clockwise exterior ring)."""
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def cells_in_box(south: float, west: float, north: float, east: float, resolution: int) -> CellArray:
    """Sorted cells lying wholly inside a lat/lng box: the study cells of the box."""
    return study_cells(box_geometry(south, west, north, east), resolution).cells
