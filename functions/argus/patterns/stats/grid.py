"""Points to H3 cells, and the binary ring-1 neighbour structure of a set of cells as CSR arrays.

Cells are H3 indexes as ``uint64`` (``h3.api.basic_int``), kept sorted so that a cell's position is found
with ``np.searchsorted``. The neighbour structure never contains the cell itself: Gi* adds the self-weight
(1 for binary weights) in its own formula, as esda's ``star=True`` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from h3.api import basic_int as h3
from scipy import sparse

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
CellArray = npt.NDArray[np.uint64]

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Neighbours:
    """Binary ring-1 neighbours of ``n`` cells in CSR form: the neighbours of cell ``i`` are
    ``indices[indptr[i]:indptr[i + 1]]`` (positions in the same cell array, self excluded, ascending)."""

    indptr: IntArray
    indices: IntArray

    @property
    def n(self) -> int:
        return int(self.indptr.shape[0] - 1)

    @property
    def cardinality(self) -> IntArray:
        """Number of neighbours of each cell (self excluded)."""
        return np.diff(self.indptr)

    @property
    def row_ids(self) -> IntArray:
        """The owning row of every entry of ``indices``."""
        return np.repeat(np.arange(self.n, dtype=np.int64), self.cardinality)

    def lag(self, values: npt.ArrayLike) -> FloatArray:
        """Sum of the neighbours' values for every cell (self excluded); ``values`` is ``(n,)`` or
        ``(n, t)`` (one column per time step)."""
        y = np.asarray(values, dtype=np.float64)
        if y.ndim == 1:
            return np.bincount(self.row_ids, weights=y[self.indices], minlength=self.n).astype(np.float64)
        ones = np.ones(self.indices.shape[0], dtype=np.float64)
        matrix = sparse.csr_array((ones, self.indices, self.indptr), shape=(self.n, self.n))
        return np.asarray(matrix @ y, dtype=np.float64)

    def subset(self, keep: npt.NDArray[np.bool_]) -> Neighbours:
        """The neighbour structure among the cells where ``keep`` is true, renumbered in their order:
        links to a dropped cell are dropped with it."""
        kept = np.flatnonzero(keep)
        position = np.full(self.n, -1, dtype=np.int64)
        position[kept] = np.arange(kept.size)
        rows = self.row_ids
        both = keep[rows] & keep[self.indices]
        indptr = np.zeros(kept.size + 1, dtype=np.int64)
        np.cumsum(np.bincount(position[rows[both]], minlength=kept.size), out=indptr[1:])
        return Neighbours(indptr, position[self.indices[both]])

    def as_lists(self) -> list[list[int]]:
        """Neighbour positions per cell, e.g. to build a libpysal ``W`` from the very same lists."""
        return [self.indices[a:b].tolist() for a, b in zip(self.indptr[:-1], self.indptr[1:], strict=True)]


@dataclass(frozen=True)
class BinnedPoints:
    """Points binned to cells: the sorted distinct ``cells``, their ``counts``, and for every input point
    the position of its cell in ``cells`` (``point_cell``)."""

    cells: CellArray
    counts: IntArray
    point_cell: IntArray


def points_to_cells(lat: npt.ArrayLike, lng: npt.ArrayLike, resolution: int) -> CellArray:
    """The H3 cell of every point. h3 4.5 has no vectorised call: a Python loop (~1 µs a point)."""
    lat_list = np.asarray(lat, dtype=np.float64).tolist()
    lng_list = np.asarray(lng, dtype=np.float64).tolist()
    if len(lat_list) != len(lng_list):
        raise ValueError("lat and lng must have the same length")
    to_cell = h3.latlng_to_cell
    return np.fromiter(
        (to_cell(a, b, resolution) for a, b in zip(lat_list, lng_list, strict=True)),
        dtype=np.uint64,
        count=len(lat_list),
    )


def bin_points(lat: npt.ArrayLike, lng: npt.ArrayLike, resolution: int) -> BinnedPoints:
    """Bin points to H3 cells at ``resolution``; only cells with at least one point are returned."""
    point_cells = points_to_cells(lat, lng, resolution)
    cells, inverse, counts = np.unique(point_cells, return_inverse=True, return_counts=True)
    return BinnedPoints(cells, counts.astype(np.int64), inverse.astype(np.int64).reshape(-1))


def locate(cells: CellArray, query: CellArray) -> IntArray:
    """Position of every ``query`` cell in the sorted ``cells``, or -1 where it is absent."""
    pos = np.searchsorted(cells, query)
    pos = np.minimum(pos, max(cells.shape[0] - 1, 0))
    found = cells.shape[0] > 0 and cells[pos] == query
    return np.where(found, pos, -1).astype(np.int64)


def ring1_neighbours(cells: CellArray) -> Neighbours:
    """Binary ring-1 neighbours among ``cells`` (which must be sorted and distinct): two cells are
    neighbours when they share an edge. Neighbours outside the set are left out, so cells at the edge of
    the set have fewer than six, and a cell with none is an island."""
    cells = np.asarray(cells, dtype=np.uint64)
    if cells.shape[0] > 1 and not bool(np.all(cells[1:] > cells[:-1])):
        raise ValueError("cells must be sorted and distinct (np.unique gives that)")
    rings = [h3.grid_ring(int(c), 1) for c in cells.tolist()]
    sizes = np.fromiter((len(r) for r in rings), dtype=np.int64, count=len(rings))
    flat = np.fromiter((c for r in rings for c in r), dtype=np.uint64, count=int(sizes.sum()))
    rows = np.repeat(np.arange(cells.shape[0], dtype=np.int64), sizes)
    pos = locate(cells, flat)
    keep = pos >= 0
    rows, pos = rows[keep], pos[keep]
    order = np.lexsort((pos, rows))
    rows, pos = rows[order], pos[order]
    indptr = np.zeros(cells.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=cells.shape[0]), out=indptr[1:])
    return Neighbours(indptr, pos.astype(np.int64))


def cell_areas_km2(cells: CellArray) -> FloatArray:
    """Exact area of every cell in km² (H3 cells of one resolution differ by a few per cent in a city)."""
    return np.array([h3.cell_area(int(c), "km^2") for c in cells.tolist()], dtype=np.float64)


def to_local_metres(
    lat: npt.ArrayLike, lng: npt.ArrayLike, origin: tuple[float, float] | None = None
) -> tuple[FloatArray, FloatArray]:
    """Equirectangular projection to metres around ``origin`` (lat, lng; default: the points' mean).
    Within a city (tens of km) the distortion is far below a metre per 100 m."""
    la = np.asarray(lat, dtype=np.float64)
    lo = np.asarray(lng, dtype=np.float64)
    lat0, lng0 = origin if origin is not None else (float(la.mean()), float(lo.mean()))
    k = math.pi / 180.0 * EARTH_RADIUS_M
    return (lo - lng0) * k * math.cos(math.radians(lat0)), (la - lat0) * k
