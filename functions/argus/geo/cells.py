"""H3 cells as the areas published figures are about: a cell's ancestor at a coarser resolution, its
boundary as an RFC 7946 Polygon, and whether it meets a bounding box.

A published figure counts whatever lies in a whole cell, so a bounding box selects cells, never points
inside them: a cell is in when any part of it meets the box.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import h3
import shapely

COORDINATE_DECIMALS = 7
"""Decimals of the published boundary coordinates (~1 cm; the cell itself is hundreds of metres)."""


def ancestor(cell: str, resolution: int) -> str:
    """The cell of ``resolution`` (coarser than the cell's, or its own) that contains ``cell``.

    Raises ValueError for a resolution finer than the cell's (h3's error)."""
    if h3.get_resolution(cell) == resolution:
        return cell
    return str(h3.cell_to_parent(cell, resolution))


@lru_cache(maxsize=4096)
def _ring(cell: str) -> tuple[tuple[float, float], ...]:
    # h3 gives the boundary counter-clockwise as (lat, lng): RFC 7946's exterior ring orientation
    ring = [
        (round(lng, COORDINATE_DECIMALS), round(lat, COORDINATE_DECIMALS))
        for lat, lng in h3.cell_to_boundary(cell)
    ]
    return (*ring, ring[0])


def polygon(cell: str) -> dict[str, Any]:
    """The cell's boundary as a GeoJSON Polygon (longitude, latitude; closed, counter-clockwise)."""
    return {"type": "Polygon", "coordinates": [[list(p) for p in _ring(cell)]]}


def meets_bbox(cell: str, bbox: list[float] | None) -> bool:
    """Does any part of the cell lie in ``bbox`` [west, south, east, north]? A box with west > east
    crosses the antimeridian. (Cells that themselves cross the antimeridian are not handled: no
    organisation's area is there.)"""
    if bbox is None:
        return True
    west, south, east, north = bbox
    shape = shapely.Polygon(_ring(cell))
    boxes = (
        [(west, south, east, north)]
        if west <= east
        else [(west, south, 180.0, north), (-180.0, south, east, north)]
    )
    return any(shape.intersects(shapely.box(*box)) for box in boxes)
