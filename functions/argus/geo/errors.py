"""The machine-readable reasons a geometry is refused, and the one way geo code builds the error.

Every refusal is a :class:`~argus.platform.errors.BadUserInput` whose ``details`` carry ``reason`` (one of
:class:`Reason`) and, where it helps a client point at the problem, ``path`` (a JSON-path-like location in
the submitted object, e.g. ``coordinates[0][3]``) and ``location`` (``[lon, lat]`` reported by GEOS).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from argus.platform.errors import BadUserInput


class Reason(StrEnum):
    """Stable values of ``details["reason"]``; clients may switch on them."""

    NOT_GEOJSON = "not_geojson"
    WRONG_TYPE = "wrong_type"
    EMPTY = "empty"
    BAD_BBOX = "bad_bbox"
    TOO_MANY_VERTICES = "too_many_vertices"
    TOO_FEW_POSITIONS = "too_few_positions"
    BAD_POSITION = "bad_position"
    COORDINATES_OUT_OF_RANGE = "coordinates_out_of_range"
    RING_NOT_CLOSED = "ring_not_closed"
    SELF_INTERSECTION = "self_intersection"
    HOLE_OUTSIDE_SHELL = "hole_outside_shell"
    INVALID_GEOMETRY = "invalid_geometry"
    WRONG_ORIENTATION = "wrong_orientation"
    TOO_LARGE = "too_large"
    OUTSIDE_BOUNDARY = "outside_boundary"
    OVERLAPPING = "overlapping"


def geo_error(reason: Reason, message: str, **details: Any) -> BadUserInput:
    """A BadUserInput carrying ``details={"reason": reason, **details}`` (None values are left out)."""
    payload: dict[str, Any] = {"reason": reason.value}
    payload.update({k: v for k, v in details.items() if v is not None})
    return BadUserInput(message, details=payload)
