"""Small shapes for the geo tests."""

from __future__ import annotations

from typing import Any


def square(west: float, south: float, size: float, *, clockwise: bool = False) -> list[list[float]]:
    """A closed square ring (counter-clockwise unless asked)."""
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size]]
    if clockwise:
        ring.reverse()
    return [*ring, ring[0]]


def polygon(*rings: list[Any]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def feature(geometry: Any, **members: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {}, "geometry": geometry, **members}
