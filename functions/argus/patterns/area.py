"""Where a pattern run looks: its study area (docs/patterns.md, *The study area*).

Every analysis covers an explicit area, empty places included: the organisation's jurisdiction when an
admin has set one; otherwise the union of its watch groups' boundaries (every group but closed ones);
otherwise, for an organisation with neither, the extent of the run's incidents (their convex hull), which
the run records as such. The run's cells are the H3 cells lying wholly inside the area
(``argus.patterns.stats.area``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import shapely
from shapely import geometry as shapes

from argus.geo.area import spherical_area_m2

M2_PER_KM2 = 1_000_000.0


class AreaSource(StrEnum):
    JURISDICTION = "jurisdiction"
    WATCH_GROUPS = "watch-groups"
    INCIDENTS = "incidents"


@dataclass(frozen=True)
class StudyArea:
    """The area a run analyses: a GeoJSON Polygon or MultiPolygon and where it came from."""

    source: AreaSource
    geometry: dict[str, Any]

    @property
    def area_km2(self) -> float:
        return spherical_area_m2(shapes.shape(self.geometry)) / M2_PER_KM2


def union_of(boundaries: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The union of GeoJSON areas (None for none)."""
    shapes_ = [shapes.shape(b) for b in boundaries]
    if not shapes_:
        return None
    return dict(shapes.mapping(shapely.union_all(shapes_)))


def hull_of(lng: Iterable[float], lat: Iterable[float]) -> dict[str, Any] | None:
    """The convex hull of the points as a Polygon (None when it has no area: fewer than three points, or
    all on a line)."""
    hull = shapely.MultiPoint(list(zip(lng, lat, strict=True))).convex_hull
    if not isinstance(hull, shapes.Polygon) or hull.area == 0:
        return None
    return dict(shapes.mapping(hull))


def choose(
    jurisdiction: dict[str, Any] | None,
    group_boundaries: Iterable[dict[str, Any]],
    lng: Iterable[float],
    lat: Iterable[float],
) -> StudyArea | None:
    """The study area by the rule above; None when there is nothing to analyse."""
    if jurisdiction is not None:
        return StudyArea(AreaSource.JURISDICTION, jurisdiction)
    groups = union_of(group_boundaries)
    if groups is not None:
        return StudyArea(AreaSource.WATCH_GROUPS, groups)
    hull = hull_of(lng, lat)
    return StudyArea(AreaSource.INCIDENTS, hull) if hull is not None else None
