"""The analysis of one pattern run: incidents in, cells and Knox results out (numpy, scipy and h3 via
``argus.patterns.stats``; runs in the pattern job's function only).

- emerging hot spots: a weekly cube at H3 resolution ``CUBE_RESOLUTION`` over the run's weeks;
- hotspots: Gi* on the last ``MAP_WEEKS`` weeks at resolution ``MAP_RESOLUTION``, 999 permutations, BH;
- near repeats: a Knox test per burglary-like category (200 m, 14 days, 999 permutations).

Every random draw is seeded, so a run is reproducible from its incidents."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import h3
import numpy as np
import numpy.typing as npt

from argus.incidents.store.incidents import incident_points_in_month, months_between
from argus.incidents.taxonomy import Category as IncidentCategory
from argus.patterns.model import (
    CUBE_RESOLUTION,
    MAP_RESOLUTION,
    MAP_WEEKS,
    KnoxSummary,
    Layer,
    PatternCell,
    stored_p,
    stored_z,
)
from argus.patterns.stats import (
    Category,
    bh_adjust,
    bin_points,
    build_cube,
    emerging_hotspots,
    hotspots,
    knox_test,
    ring1_neighbours,
    to_local_metres,
)
from argus.platform import clock

DAYS_PER_WEEK = 7
SEED = 20260421
PERMUTATIONS = 999
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


@dataclass(frozen=True)
class Analysis:
    cells: list[PatternCell]  # the hotspot layer, then the emerging layer
    knox: list[KnoxSummary]

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


def emerging_layer(points: Points, weeks: int) -> tuple[list[PatternCell], dict[str, str]]:
    """The cube's cells with a category, and every cube cell's category (for the hotspot layer)."""
    cube = build_cube(points.lat, points.lng, points.day, resolution=CUBE_RESOLUTION, steps=weeks)
    if cube.cells.shape[0] < 2:
        return [], {}
    result = emerging_hotspots(
        cube.counts, ring1_neighbours(cube.cells), permutations=PERMUTATIONS, seed=SEED
    )
    final_fdr = bh_adjust(result.p_value[:, -1])
    cells: list[PatternCell] = []
    category_of: dict[str, str] = {}
    for i, raw in enumerate(cube.cells):
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


def hotspot_layer(points: Points, weeks: int, category_of: dict[str, str]) -> list[PatternCell]:
    """Gi* of the last ``MAP_WEEKS`` weeks: every cell with an incident, hot/cold after BH."""
    recent = points.day >= (weeks - MAP_WEEKS) * DAYS_PER_WEEK
    binned = bin_points(points.lat[recent], points.lng[recent], MAP_RESOLUTION)
    if binned.cells.shape[0] < 2:
        return []
    spots = hotspots(binned.counts, ring1_neighbours(binned.cells), permutations=PERMUTATIONS, seed=SEED)
    cells: list[PatternCell] = []
    for i, raw in enumerate(binned.cells):
        cell = _cell(raw)
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


def analyse(points: Points, weeks: int) -> Analysis:
    """The whole analysis of ``points`` over ``weeks`` weeks (pure: no storage)."""
    if points.size == 0:
        return Analysis([], [])
    emerging, category_of = emerging_layer(points, weeks)
    return Analysis(hotspot_layer(points, weeks, category_of) + emerging, near_repeats(points))
