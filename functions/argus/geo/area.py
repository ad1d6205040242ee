"""A validated area (a watch group's boundary, a block, a patrol zone) and the rules between areas.

One rule decides whether a point is in an area everywhere in Argus: **covers** — a point inside the area or
exactly on its boundary (an edge or a vertex) counts as in it. :meth:`Area.covers` is that rule; the point
index (:mod:`argus.geo.index`) answers with the same rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from argus.geo.errors import Reason, geo_error

# H3's authalic (equal-area) Earth radius, so our areas agree with h3.cell_area.
EARTH_RADIUS_M = 6_371_007.180918475

CONTAINMENT_TOLERANCE_DEG = 1e-7
"""How far (in degrees, ~1 cm) an inner area may poke out of its outer area and still count as within it.
Coordinates are rounded to 7 decimals, so a vertex snapped onto a sloping outer edge can land up to
~0.7e-7 degrees outside it; this tolerance absorbs that and nothing a person could draw on a map."""


@dataclass(frozen=True, eq=False)
class Area:
    """A validated Polygon or MultiPolygon in WGS 84 longitude/latitude (build it with ``parse_area``).

    ``geojson`` is the normalised RFC 7946 geometry (``type`` and ``coordinates`` only; 2D positions rounded
    to 7 decimals; exterior rings counter-clockwise, holes clockwise): store and return this, never the
    input. ``geometry`` is the same shape in shapely, prepared for fast predicates. ``area_m2`` is the
    spherical area (approximate: within ~0.5% of the WGS 84 ellipsoid). ``bbox`` is
    (west, south, east, north). ``orientation_fixed`` says parse_area reversed rings to meet the
    right-hand rule. Do not mutate ``geojson``.
    """

    geojson: dict[str, Any]
    geometry: Polygon | MultiPolygon
    area_m2: float
    bbox: tuple[float, float, float, float]
    vertex_count: int
    orientation_fixed: bool = False

    def __post_init__(self) -> None:
        shapely.prepare(self.geometry)  # in place: later predicates reuse the GEOS index

    @property
    def type(self) -> str:
        """``"Polygon"`` or ``"MultiPolygon"``."""
        return str(self.geojson["type"])

    def covers(self, lon: float, lat: float) -> bool:
        """True when the point is inside the area or on its boundary (the one point-in-area rule)."""
        return bool(shapely.intersects_xy(self.geometry, lon, lat))

    @cached_property
    def tolerant_outline(self) -> Polygon | MultiPolygon:
        """The area grown by CONTAINMENT_TOLERANCE_DEG, prepared: what ``ensure_within`` tests against."""
        grown = self.geometry.buffer(CONTAINMENT_TOLERANCE_DEG, join_style="mitre")
        shapely.prepare(grown)
        return grown  # type: ignore[return-value]


def spherical_area_m2(geometry: Polygon | MultiPolygon) -> float:
    """Area in m² of a lon/lat polygon on the authalic sphere (rings' spherical excess, holes subtracted).

    The formula is Chamberlain & Duquette's (as used by turf/d3): exact on the sphere for rhumb-free
    polygons and within ~0.5% of the ellipsoidal area, which is all a size limit needs.
    """
    polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else (geometry,)
    total = 0.0
    for polygon in polygons:
        total += _ring_area(np.asarray(polygon.exterior.coords))
        for hole in polygon.interiors:
            total -= _ring_area(np.asarray(hole.coords))
    return total


def _ring_area(coords: np.ndarray) -> float:
    ring = coords[:-1, :2]  # closed ring: drop the repeated last position
    if len(ring) < 3:
        return 0.0
    lon = np.radians(ring[:, 0])
    sin_lat = np.sin(np.radians(ring[:, 1]))
    excess = float(np.sum((np.roll(lon, -1) - np.roll(lon, 1)) * sin_lat))
    return abs(excess) * EARTH_RADIUS_M * EARTH_RADIUS_M / 2.0


def ensure_within(inner: Area, outer: Area, what: str) -> None:
    """Check that ``inner`` (a block, a patrol zone) lies within ``outer`` (its watch group's boundary).

    Boundaries may touch and share edges; ``inner`` may stick out by at most CONTAINMENT_TOLERANCE_DEG.
    Raises BadUserInput with ``details={"reason": "outside_boundary", "what": what, "outsideAreaM2": …}``
    otherwise. ``what`` names the inner thing in the message ("block", "patrol zone").
    """
    if outer.tolerant_outline.covers(inner.geometry):
        return
    outside = inner.geometry.difference(outer.geometry)
    outside_m2 = sum(
        spherical_area_m2(part) for part in shapely.get_parts(outside) if isinstance(part, Polygon)
    )
    raise geo_error(
        Reason.OUTSIDE_BOUNDARY,
        f"The {what} must lie within its watch group's boundary; "
        f"about {math.ceil(outside_m2)} m² of it is outside.",
        what=what,
        outsideAreaM2=round(outside_m2, 1),
    )


# Areas of the same kind (the blocks of a group) may share edges but not overlap by more than this.
OVERLAP_TOLERANCE_M2 = 1.0


def ensure_disjoint(area: Area, others: list[Area], what: str) -> None:
    """Check that ``area`` does not overlap any of ``others`` (sharing an edge is fine).

    Raises BadUserInput with ``details={"reason": "overlapping", "what": what, "overlapAreaM2": …}``.
    """
    for other in others:
        if not area.geometry.intersects(other.geometry):
            continue
        shared = area.geometry.intersection(other.geometry)
        overlap_m2 = sum(
            spherical_area_m2(part) for part in shapely.get_parts(shared) if isinstance(part, Polygon)
        )
        if overlap_m2 > OVERLAP_TOLERANCE_M2:
            raise geo_error(
                Reason.OVERLAPPING,
                f"The {what} overlaps another {what} by about {math.ceil(overlap_m2)} m²; "
                "they may share edges only.",
                what=what,
                overlapAreaM2=round(overlap_m2, 1),
            )
