"""The H3 point index: "which areas cover this point?" without testing every polygon.

Each area is covered by H3 cells at one resolution (INDEX_RESOLUTION) and each cell is classified:

* **interior** — the whole cell, grown by CELL_MARGIN_DEG, lies within the area: every point H3 puts in that
  cell is covered, so the answer needs no geometry;
* **boundary** — the grown cell overlaps the area without lying within it: a point there is confirmed
  against the area's prepared shapely geometry with the same rule as :meth:`Area.covers`.

A lookup is then one ``h3.latlng_to_cell``, one dict lookup and a few prepared point tests, and its answer is
identical to testing every polygon with ``covers`` (property-tested, and checked on every point of the
benchmark). Why the margin: H3 cell edges are great-circle arcs, but shapely treats the boundary from
``h3.cell_to_boundary`` as straight lines in lon/lat; they differ by < 1e-7 degrees at resolutions 9-10 up to
80° latitude, and the 1e-5 degree margin (~1 m) keeps classification on the safe side of that.

The index is plain data: ``to_dict`` gives cell → area indexes (interior / boundary) for storage, and
``cells_for`` gives one area's cells so the domain can write one index item per cell (e.g. GSI2PK
``ORG#<org>#H3#<cell>``) and answer a point with :func:`cell_for_point` + a query on that cell.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

import h3
import numpy as np
import shapely
from shapely.geometry import Polygon

from argus.geo.area import Area
from argus.geo.errors import Reason, geo_error

INDEX_RESOLUTION = 10
"""H3 resolution of the point index: cells of ~0.015 km² (edge ~76 m), smaller than a block, so a point's
cell holds ~3 candidates of which ~2.4 need geometry (~6 at resolution 9), at ~90 cells for a 1 km² group
(see docs/geo.md)."""

MIN_RESOLUTION, MAX_RESOLUTION = 8, 13
"""Resolutions the margin argument holds for (coarser cells bend further from straight lines)."""

CELL_MARGIN_DEG = 1e-5
"""How much each cell is grown before it is classified (see the module docstring)."""

INDEX_FORMAT = "argus.geo.area-index/1"

K = TypeVar("K", bound=Hashable)


def cell_for_point(lon: float, lat: float, resolution: int = INDEX_RESOLUTION) -> str:
    """The H3 cell (hex string) holding the point: the only cell whose index entries can cover it.

    Raises BadUserInput (reason coordinates_out_of_range) for a non-finite or out-of-range position.
    """
    check_point(lon, lat)
    return str(h3.latlng_to_cell(lat, lon, resolution))


candidates_for_point = cell_for_point
"""The same function under the name the domain's brief uses: the cell whose index items are the candidates."""


def cells_for(area: Area, resolution: int = INDEX_RESOLUTION) -> tuple[frozenset[str], frozenset[str]]:
    """``(interior_cells, boundary_cells)`` at ``resolution``: every cell a point covered by ``area`` can be
    in, split into cells that answer directly and cells whose points need ``area.covers`` to confirm.

    Raises ValueError for a resolution outside MIN_RESOLUTION..MAX_RESOLUTION.
    """
    return _CellClassifier(resolution).classify(area)


class AreaIndex(Generic[K]):
    """Point-in-area lookups over many keyed areas (e.g. 500 watch groups, or 6,000 blocks).

    ``lookup`` returns the keys of every area covering the point, in the order the areas were added —
    exactly ``[k for k, a in areas if a.covers(lon, lat)]``.
    """

    def __init__(self, areas: Iterable[tuple[K, Area]] = (), *, resolution: int = INDEX_RESOLUTION) -> None:
        """Index ``areas``; raises ValueError for a duplicate key or an unsupported resolution."""
        self._classifier = _CellClassifier(resolution)
        self._keys: list[K] = []
        self._areas: list[Area] = []
        self._positions: dict[K, int] = {}
        # cell -> [(position, key, geometry to confirm against, or None when the cell is interior)]
        self._cells: dict[str, list[tuple[int, K, Any]]] = {}
        # cell -> (keys, flags, geometries): flag -1 answers directly, flag i confirms with geometries[i];
        # compiled after the bulk build so that one vectorised shapely call confirms a cell's candidates.
        self._compiled: dict[str, tuple[tuple[K, ...], tuple[int, ...], Any]] | None = None
        for key, area in areas:
            self.add(key, area)
        self._classifier.forget()  # the cell-polygon cache only pays off while building in bulk
        self._compile()

    @property
    def resolution(self) -> int:
        return self._classifier.resolution

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._positions

    def add(self, key: K, area: Area) -> None:
        """Add one area (after those already added); raises ValueError if ``key`` is already indexed."""
        interior, boundary = self._classifier.classify(area)
        self._insert(key, area, interior, boundary)
        if self._compiled is not None:  # after the bulk build: refresh only the cells this area touches
            for cell in interior | boundary:
                self._compiled[cell] = self._compiled_entry(self._cells[cell])

    def lookup(self, lon: float, lat: float) -> list[K]:
        """Keys of all areas covering the point (inside or on the boundary), in insertion order.

        Raises BadUserInput (reason coordinates_out_of_range) for a non-finite or out-of-range position.
        """
        check_point(lon, lat)
        return self.lookup_in_cell(h3.latlng_to_cell(lat, lon, self._classifier.resolution), lon, lat)

    def lookup_in_cell(self, cell: str, lon: float, lat: float) -> list[K]:
        """``lookup`` for a point whose cell at this index's resolution is already known (no checks)."""
        compiled = self._compiled if self._compiled is not None else self._compile()
        entry = compiled.get(cell)
        if entry is None:
            return []
        keys, flags, geometries = entry
        if geometries is None:
            return list(keys)
        hits = shapely.intersects_xy(geometries, lon, lat).tolist()
        return [key for key, flag in zip(keys, flags, strict=True) if flag < 0 or hits[flag]]

    def cells(self) -> Iterator[tuple[str, list[tuple[K, Any]]]]:
        """Each indexed cell with its ``(key, geometry)`` entries in insertion order; the geometry is None
        for an interior entry (answers directly) and the area's prepared geometry for a boundary entry."""
        for cell, entries in self._cells.items():  # entries are appended in insertion order
            yield cell, [(key, geometry) for _, key, geometry in entries]

    def _compile(self) -> dict[str, tuple[tuple[K, ...], tuple[int, ...], Any]]:
        self._compiled = {cell: self._compiled_entry(entries) for cell, entries in self._cells.items()}
        return self._compiled

    def _compiled_entry(
        self, entries: list[tuple[int, K, Any]]
    ) -> tuple[tuple[K, ...], tuple[int, ...], Any]:
        flags, geometries = confirmation_plan([geometry for _, _, geometry in entries])
        return tuple(key for _, key, _ in entries), flags, geometries

    def stats(self) -> dict[str, int]:
        """Sizes, for benchmarks and capacity planning: areas, cells, interior and boundary entries."""
        interior = sum(1 for entries in self._cells.values() for e in entries if e[2] is None)
        total = sum(len(entries) for entries in self._cells.values())
        return {
            "areas": len(self),
            "cells": len(self._cells),
            "interior": interior,
            "boundary": total - interior,
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: ``{"format", "resolution", "keys", "interior": {cell: [i]}, "boundary": {…}}``
        where ``i`` indexes ``keys``. Geometries are not included (store them with their areas).

        Raises TypeError when a key is not a string.
        """
        if not all(isinstance(key, str) for key in self._keys):
            raise TypeError("only an index with string keys can be serialised")
        interior: dict[str, list[int]] = {}
        boundary: dict[str, list[int]] = {}
        for cell, entries in self._cells.items():
            for position, _, geometry in entries:
                (interior if geometry is None else boundary).setdefault(cell, []).append(position)
        return {
            "format": INDEX_FORMAT,
            "resolution": self.resolution,
            "keys": list(self._keys),
            "interior": interior,
            "boundary": boundary,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], areas: Mapping[str, Area]) -> AreaIndex[str]:
        """Rebuild an index from ``to_dict`` output and the areas it names (no cell is recomputed).

        Raises ValueError for another format or when an indexed key has no area in ``areas``.
        """
        if data.get("format") != INDEX_FORMAT:
            raise ValueError(f"not an {INDEX_FORMAT} document")
        index: AreaIndex[str] = cls(resolution=int(data["resolution"]))  # type: ignore[assignment]
        keys: list[str] = list(data["keys"])
        missing = [key for key in keys if key not in areas]
        if missing:
            raise ValueError(f"{len(missing)} indexed areas are missing, e.g. {missing[0]!r}")
        per_key: list[tuple[set[str], set[str]]] = [(set(), set()) for _ in keys]
        for which, side in ((0, "interior"), (1, "boundary")):
            for cell, positions in data[side].items():
                for position in positions:
                    per_key[position][which].add(cell)
        for key, (interior, boundary) in zip(keys, per_key, strict=True):
            index._insert(key, areas[key], frozenset(interior), frozenset(boundary))
        index._compile()
        return index

    def _insert(self, key: K, area: Area, interior: frozenset[str], boundary: frozenset[str]) -> None:
        if key in self._positions:
            raise ValueError(f"area {key!r} is already indexed")
        position = len(self._keys)
        self._positions[key] = position
        self._keys.append(key)
        self._areas.append(area)
        for cell in interior:
            self._cells.setdefault(cell, []).append((position, key, None))
        for cell in boundary:
            self._cells.setdefault(cell, []).append((position, key, area.geometry))


def confirmation_plan(geometries: list[Any]) -> tuple[tuple[int, ...], Any]:
    """For a cell's entries' geometries (None = interior): a flag per entry (-1 answers directly, i confirms
    with the i-th geometry) and the geometries to confirm as one array (None when there are none), so one
    vectorised shapely call confirms a whole cell."""
    to_confirm = [geometry for geometry in geometries if geometry is not None]
    flags: list[int] = []
    n = 0
    for geometry in geometries:
        flags.append(-1 if geometry is None else n)
        n += geometry is not None
    if not to_confirm:
        return tuple(flags), None
    array = np.empty(len(to_confirm), dtype=object)
    array[:] = to_confirm
    return tuple(flags), array


def check_point(lon: float, lat: float) -> None:
    """Raise BadUserInput (reason coordinates_out_of_range) unless lon/lat is a finite in-range position."""
    # NaN fails every comparison, so it is refused here too.
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise geo_error(
            Reason.COORDINATES_OUT_OF_RANGE,
            "A point needs a longitude in [-180, 180] and a latitude in [-90, 90] (longitude first).",
        )


class _CellClassifier:
    """Finds and classifies the cells of areas at one resolution, caching grown cell polygons."""

    def __init__(self, resolution: int) -> None:
        if not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
            raise ValueError(f"resolution must be {MIN_RESOLUTION}..{MAX_RESOLUTION}, not {resolution}")
        self.resolution = resolution
        self._grown: dict[tuple[str, bool], Polygon] = {}

    def forget(self) -> None:
        self._grown.clear()

    def classify(self, area: Area) -> tuple[frozenset[str], frozenset[str]]:
        """(interior, boundary) cells of ``area``.

        Candidates: H3's own polyfill (cells whose centre is inside) plus the cell of one vertex of every
        ring; from every candidate whose grown polygon touches the area's boundary the search spreads to its
        neighbours. The cells a ring passes through form a connected chain, so this finds every cell that
        touches the boundary; every other overlapping cell lies wholly inside and so has its centre inside.
        """
        res = self.resolution
        outline = area.geometry.boundary
        shapely.prepare(outline)
        east_side = (area.bbox[0] + area.bbox[2]) >= 0.0
        frontier = {str(c) for c in h3.geo_to_cells(area.geojson, res)}
        for polygon in shapely.get_parts(area.geometry):
            for ring in (polygon.exterior, *polygon.interiors):
                lon, lat = ring.coords[0][:2]
                frontier.add(str(h3.latlng_to_cell(lat, lon, res)))
        seen = set(frontier)
        interior: set[str] = set()
        boundary: set[str] = set()
        while frontier:
            cells = list(frontier)
            grown = self._grown_cells(cells, east_side)
            inside = shapely.contains(area.geometry, grown)
            overlaps = shapely.intersects(area.geometry, grown)
            touches = shapely.intersects(outline, grown)
            frontier = set()
            for cell, is_inside, overlap, touch in zip(cells, inside, overlaps, touches, strict=True):
                if is_inside:
                    interior.add(cell)
                elif overlap:
                    boundary.add(cell)
                if touch:
                    for neighbour in h3.grid_disk(cell, 1):
                        if neighbour not in seen:
                            seen.add(neighbour)
                            frontier.add(str(neighbour))
        return frozenset(interior), frozenset(boundary)

    def _grown_cells(self, cells: list[str], east_side: bool) -> np.ndarray:
        """The cells' polygons grown by CELL_MARGIN_DEG, as an array (built in one vectorised step)."""
        missing = [cell for cell in cells if (cell, east_side) not in self._grown]
        if missing:
            coords: list[tuple[float, float]] = []
            ring_of: list[int] = []
            for n, cell in enumerate(missing):
                ring = [(lng, lat) for lat, lng in h3.cell_to_boundary(cell)]
                lngs = [lng for lng, _ in ring]
                if max(lngs) - min(lngs) > 180.0:
                    # A cell across the antimeridian: unwrap it onto the area's side so tests see one shape.
                    shift = 360.0 if east_side else -360.0
                    ring = [(lng + shift if (lng < 0) == east_side else lng, lat) for lng, lat in ring]
                coords.extend(ring)
                ring_of.extend([n] * len(ring))
            rings = shapely.linearrings(np.asarray(coords), indices=np.asarray(ring_of))
            grown = shapely.buffer(shapely.polygons(rings), CELL_MARGIN_DEG, join_style="mitre")
            self._grown.update(zip(((cell, east_side) for cell in missing), grown, strict=True))
        out = np.empty(len(cells), dtype=object)
        out[:] = [self._grown[(cell, east_side)] for cell in cells]
        return out
