"""The analysis of one pattern run: incidents and a study area in, cells and Knox results out (numpy,
scipy and h3 via ``argus.patterns.stats``; runs in the pattern job's function only). Rules version
``RULES_VERSION`` (docs/patterns.md):

- the study area's whole H3 cells, empty ones included, at each resolution; incidents outside the area
  are counted, not analysed (nor are those in cells its boundary cuts);
- emerging hot spots: a weekly cube at H3 resolution ``CUBE_RESOLUTION`` over the run's weeks;
- hotspots: Gi* on the last ``MAP_WEEKS`` weeks at resolution ``MAP_RESOLUTION``, exact p-values, BH,
  hot spots tested with the ones already found set aside;
- near repeats: a Knox test per burglary-like category (200 m, 14 days, 999 permutations) on the
  incidents inside the study area.

Every random draw is seeded, so a run is reproducible from its incidents and area."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import h3
import numpy as np
import numpy.typing as npt
import shapely
from shapely import geometry as shapes

from argus.incidents.store.incidents import incident_points_in_month, months_between
from argus.incidents.taxonomy import Category as IncidentCategory
from argus.patterns.area import StudyArea
from argus.patterns.model import (
    CUBE_RESOLUTION,
    MAP_RESOLUTION,
    MAP_WEEKS,
    AreaSummary,
    KnoxSummary,
    Layer,
    PatternCell,
    stored_p,
    stored_z,
)
from argus.patterns.stats import (
    Category,
    StudyCells,
    bh_adjust,
    emerging_hotspots,
    knox_test,
    ring1_neighbours,
    study_cells,
    to_local_metres,
)
from argus.patterns.stats.emerging import cube_counts
from argus.patterns.stats.gistar import unmasked_hotspots
from argus.platform import clock

DAYS_PER_WEEK = 7
SEED = 20260421
PERMUTATIONS = 999  # Knox only: Gi* decisions use exact p-values
KNOX_CATEGORIES = (IncidentCategory.BURGLARY, IncidentCategory.VEHICLE_CRIME)
KNOX_DISTANCE_M = 200.0
KNOX_INTERVAL_DAYS = 14.0


@dataclass(frozen=True)
class Points:
    """Incidents as arrays: position, days since the start of the analysed period, category."""

    lat: npt.NDArray[np.float64]
    lng: npt.NDArray[np.float64]
    day: npt.NDArray[np.float64]
    category: npt.NDArray[np.str_]

    @classmethod
    def of(cls, rows: Iterable[tuple[float, float, float, str]]) -> Points:
        listed = list(rows)
        lat, lng, day, category = zip(*listed, strict=True) if listed else ((), (), (), ())
        return cls(
            np.asarray(lat, float), np.asarray(lng, float), np.asarray(day, float), np.asarray(category, str)
        )

    @property
    def size(self) -> int:
        return int(self.lat.size)

    def within(self, keep: npt.NDArray[np.bool_]) -> Points:
        return Points(self.lat[keep], self.lng[keep], self.day[keep], self.category[keep])


@dataclass(frozen=True)
class Analysis:
    cells: list[PatternCell]  # the hotspot layer, then the emerging layer
    knox: list[KnoxSummary]
    area: AreaSummary | None = None

    @property
    def categories(self) -> dict[str, int]:
        return dict(Counter(c.category for c in self.cells if c.layer is Layer.EMERGING))


def read_points(org_id: str, start: datetime, end: datetime) -> Points:
    """The organisation's incidents that began in ``[start, end)``: one GSI1 query per month."""
    start_iso, end_iso = clock.iso(start), clock.iso(end - timedelta(milliseconds=1))
    rows = (
        (lat, lng, (began - start).total_seconds() / 86400.0, category)
        for month in months_between(start, end)
        for lat, lng, began, category in incident_points_in_month(org_id, month, start_iso, end_iso)
        if start <= began < end
    )
    return Points.of(rows)


def _cell(cell: int) -> str:
    return str(h3.int_to_str(int(cell)))


def emerging_layer(points: Points, weeks: int, area: StudyCells) -> tuple[list[PatternCell], dict[str, str]]:
    """The cube's cells with a category, and every cube cell's category (for the hotspot layer)."""
    if area.size < 2:
        return [], {}
    step = np.floor(points.day / DAYS_PER_WEEK).astype(np.int64)
    cube = cube_counts(area.locate_points(points.lat, points.lng), step, area.size, weeks)
    result = emerging_hotspots(cube, ring1_neighbours(area.cells))
    final_fdr = bh_adjust(result.p_value[:, -1])
    cells: list[PatternCell] = []
    category_of: dict[str, str] = {}
    for i, raw in enumerate(area.cells):
        cell, category = _cell(raw), result.category[i]
        category_of[cell] = category.value
        if category is not Category.NONE:
            cells.append(
                PatternCell(
                    Layer.EMERGING,
                    cell,
                    CUBE_RESOLUTION,
                    stored_z(result.z[i, -1]),
                    stored_p(final_fdr[i]),
                    bool(result.hot[i, -1]),
                    bool(result.cold[i, -1]),
                    category.value,
                )
            )
    return cells, category_of


def hotspot_layer(
    points: Points, weeks: int, area: StudyCells, category_of: dict[str, str]
) -> list[PatternCell]:
    """Gi* of the last ``MAP_WEEKS`` weeks over every cell of the area; the cells with an incident or a
    decision (hot or cold) are kept."""
    if area.size < 2:
        return []
    recent = points.day >= (weeks - MAP_WEEKS) * DAYS_PER_WEEK
    counts = area.counts(points.lat[recent], points.lng[recent])
    spots = unmasked_hotspots(counts, ring1_neighbours(area.cells))
    cells: list[PatternCell] = []
    for i in np.flatnonzero((counts > 0) | spots.significant).tolist():
        cell = _cell(area.cells[i])
        parent = h3.cell_to_parent(cell, CUBE_RESOLUTION)
        cells.append(
            PatternCell(
                Layer.HOTSPOT,
                cell,
                MAP_RESOLUTION,
                stored_z(spots.z[i]),
                stored_p(spots.p_fdr[i]),
                bool(spots.hot[i]),
                bool(spots.cold[i]),
                category_of.get(parent, Category.NONE.value),
            )
        )
    return cells


def near_repeats(points: Points) -> list[KnoxSummary]:
    """A Knox test for each burglary-like category with at least two incidents."""
    out: list[KnoxSummary] = []
    for category in KNOX_CATEGORIES:
        chosen = points.category == category.value
        count = int(chosen.sum())
        if count < 2:
            continue
        x, y = to_local_metres(points.lat[chosen], points.lng[chosen])
        test = knox_test(
            x,
            y,
            points.day[chosen],
            distance=KNOX_DISTANCE_M,
            interval=KNOX_INTERVAL_DAYS,
            permutations=PERMUTATIONS,
            seed=SEED,
        )
        ratio = test.ratio if np.isfinite(test.ratio) else 0.0
        out.append(KnoxSummary(category.value, count, test.observed, test.expected, ratio, test.p_value))
    return out


def analyse(points: Points, weeks: int, area: StudyArea | None) -> Analysis:
    """The whole analysis of ``points`` over ``weeks`` weeks in ``area`` (pure: no storage). Without an
    area there is nothing to analyse."""
    if area is None:
        return Analysis([], [])
    cube_area = study_cells(area.geometry, CUBE_RESOLUTION)
    map_area = study_cells(area.geometry, MAP_RESOLUTION)
    inside = shapely.intersects_xy(shapes.shape(area.geometry), points.lng, points.lat)
    summary = AreaSummary(
        source=area.source.value,
        area_km2=round(area.area_km2, 3),
        cube_cells=cube_area.size,
        cube_cut=cube_area.cut,
        map_cells=map_area.size,
        map_cut=map_area.cut,
        incidents=int(inside.sum()),
        outside=int((~inside).sum()),
    )
    emerging, category_of = emerging_layer(points, weeks, cube_area)
    cells = hotspot_layer(points, weeks, map_area, category_of) + emerging
    return Analysis(cells, near_repeats(points.within(inside)), summary)
