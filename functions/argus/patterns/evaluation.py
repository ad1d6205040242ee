"""How well the pattern statistics hold up (``argus patterns evaluate``; docs/patterns.md):

- forecast quality: train on earlier weeks, score later weeks with PAI and PEI at 1% and 5% of the study
  area (the synthetic city's square; the Chicago sample's extent, the convex hull of its incidents);
- emerging hot spots on the synthetic city: each planted kind (steady, rising, fading, emerging, new) and
  the category it should get, over three seeds; and spatially random cubes over the same study area,
  which should show no pattern;
- false discoveries of the hot spot map on spatially random maps over an irregular study area (the union
  of synthetic watch-group boundaries) at sparse and dense counts and resolutions 9 and 10.

Everything is seeded, so a run prints the same figures every time.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely import geometry as shapes

from argus.patterns.stats import (
    Category,
    StudyCells,
    box_geometry,
    emerging_hotspots,
    evaluate_split,
    ring1_neighbours,
    study_cells,
)
from argus.patterns.stats.emerging import cube_counts
from argus.patterns.stats.evaluate import ForecastScore
from argus.patterns.stats.gistar import unmasked_hotspots
from argus.patterns.stats.synthetic import Profile, city_box, synthetic_city

CHICAGO_DATE = "%m/%d/%Y %I:%M:%S %p"
RESOLUTION = 9
DAYS_PER_WEEK = 7
EXPECTED: dict[Profile, Category] = {
    "steady": Category.PERSISTENT_HOT,
    "rising": Category.INTENSIFYING_HOT,
    "fading": Category.DIMINISHING_HOT,
    "emerging": Category.CONSECUTIVE_HOT,
    "new": Category.NEW_HOT,
}


@dataclass(frozen=True)
class Evaluation:
    name: str
    area: str  # what the study area is
    area_km2: float
    cells: int  # analysed cells, empty ones included
    incidents: int  # incidents in the analysed cells
    outside: int  # incidents outside every analysed cell
    train_weeks: int
    test_weeks: int
    scores: dict[str, list[ForecastScore]]  # by ranking method: "counts" (past counts), "gistar"


def evaluate(
    name: str,
    lat: npt.ArrayLike,
    lng: npt.ArrayLike,
    day: npt.ArrayLike,
    *,
    area: StudyCells,
    area_name: str,
    train_fraction: float = 0.75,
) -> Evaluation:
    """Rank the study area's cells (weekly bins) on the first ``train_fraction`` of the weeks by past
    counts and by Gi* z, and score both on the remaining weeks; ``A`` is the study area."""
    days = np.asarray(day, dtype=np.float64)
    weeks = int(days.max() // DAYS_PER_WEEK) + 1
    if weeks < 2:
        raise ValueError("the data covers less than two weeks")
    position = area.locate_points(lat, lng)
    cube = cube_counts(position, (days // DAYS_PER_WEEK).astype(np.int64), area.size, weeks)
    split = min(max(1, round(weeks * train_fraction)), weeks - 1)
    neighbours = ring1_neighbours(area.cells)
    return Evaluation(
        name=name,
        area=area_name,
        area_km2=area.area_km2,
        cells=area.size,
        incidents=int(cube.sum()),
        outside=int((position < 0).sum()),
        train_weeks=split,
        test_weeks=weeks - split,
        scores={
            "counts": evaluate_split(cube, split, areas=area.areas_km2),
            "gistar": evaluate_split(
                cube, split, neighbours=neighbours, method="gistar", areas=area.areas_km2
            ),
        },
    )


def synthetic(seed: int = 7, n: int = 60_000, weeks: int = 52) -> Evaluation:
    city = synthetic_city(seed, n=n, weeks=weeks)
    area = study_cells(box_geometry(*city.box), RESOLUTION)
    return evaluate(
        f"synthetic city (seed {seed}, {n} incidents, planted hotspots)",
        city.lat,
        city.lng,
        city.day,
        area=area,
        area_name="the city's 20 km square",
    )


def chicago(path: Path) -> Evaluation:
    """The City of Chicago layout (Date, Latitude, Longitude); rows without coordinates are left out.
    The study area is the extent of the sample: the convex hull of its incidents (no boundary ships
    with the extract)."""
    when: list[datetime] = []
    lat: list[float] = []
    lng: list[float] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            try:
                moment = datetime.strptime(row["Date"], CHICAGO_DATE)
                la, lo = float(row["Latitude"]), float(row["Longitude"])
            except (KeyError, ValueError):
                continue
            when.append(moment)
            lat.append(la)
            lng.append(lo)
    if not when:
        raise ValueError(f"{path} has no rows with a date and coordinates")
    start = min(when)
    day = np.array([(w - start).total_seconds() / 86400 for w in when])
    hull = shapely.MultiPoint(list(zip(lng, lat, strict=True))).convex_hull
    area = study_cells(shapes.mapping(hull), RESOLUTION)
    return evaluate(
        f"Chicago sample ({path.name})",
        np.array(lat),
        np.array(lng),
        day,
        area=area,
        area_name="the convex hull of the sample's incidents",
    )


@dataclass(frozen=True)
class PlantedCheck:
    """The categories the planted hot spots' centre cells got, by planted kind, over ``seeds``."""

    seeds: tuple[int, ...]
    incidents: int
    found: dict[Profile, list[Category]]

    def hits(self, profile: Profile) -> int:
        return sum(category is EXPECTED[profile] for category in self.found[profile])


def planted_categories(seeds: Sequence[int] = (0, 1, 2), n: int = 300_000) -> PlantedCheck:
    """The emerging hot spot category of each planted hot spot's centre cell (H3 resolution 9) in the
    synthetic city of each seed: 52 weeks over the city's square, two spots of each kind per city."""
    found: dict[Profile, list[Category]] = {profile: [] for profile in EXPECTED}
    for seed in seeds:
        city = synthetic_city(seed, n=n)
        area = study_cells(box_geometry(*city.box), RESOLUTION)
        cube = cube_counts(area.locate_points(city.lat, city.lng), city.week, area.size, city.weeks)
        result = emerging_hotspots(cube, ring1_neighbours(area.cells))
        for spot in city.planted:
            centre = area.locate_points(np.array([spot.lat]), np.array([spot.lng]))[0]
            found[spot.profile].append(result.category[centre] if centre >= 0 else Category.NONE)
    return PlantedCheck(tuple(seeds), n, found)


@dataclass(frozen=True)
class RandomCubes:
    """Spatially random cubes over a study area: how many showed any category but "no pattern"."""

    cubes: int
    cells: int
    weekly: int
    with_pattern: int
    categories: Counter[Category]

    @property
    def share_without_pattern(self) -> float:
        return 1.0 - self.with_pattern / self.cubes


def random_cubes(cubes: int = 60, weeks: int = 52, weekly: int = 5_054) -> RandomCubes:
    """``cubes`` cubes of ``weeks`` weeks over the synthetic city's study area, each week ``weekly``
    incidents spread at random (the city's background: 87.6 % of 300,000 a year). Under complete spatial
    randomness the counts of the whole cells are multinomial with probabilities proportional to their
    areas, which is how they are drawn (binning points gives the same distribution, 30 times slower)."""
    area = study_cells(box_geometry(*city_box()), RESOLUTION)
    neighbours = ring1_neighbours(area.cells)
    share = area.areas_km2 / area.areas_km2.sum()
    with_pattern = 0
    categories: Counter[Category] = Counter()
    for seed in range(cubes):
        rng = np.random.default_rng([seed, 4])
        cube = rng.multinomial(weekly, share, size=weeks).T
        found = Counter(emerging_hotspots(cube, neighbours).category)
        del found[Category.NONE]
        with_pattern += bool(found)
        categories.update(found)
    return RandomCubes(cubes, area.size, weekly, with_pattern, categories)


@dataclass(frozen=True)
class RandomMaps:
    """Per (resolution, incidents per cell): analysed cells, cells cut by the boundary, and how many of
    ``maps`` spatially random maps had any FDR discovery (hot or cold, edge cells included)."""

    maps: int
    area_km2: float
    rows: list[tuple[int, int, int, int, int]]  # resolution, per cell, cells, cut, maps with a discovery


def irregular_area() -> dict[str, Any]:
    """An irregular study area: the union of 16 synthetic watch groups' boundaries (about 17 km²)."""
    from argus.geo.synthetic import synthetic_city as synthetic_groups

    layout = synthetic_groups(3, groups=16, blocks_per_group=12)
    union = shapely.union_all([shapes.shape(group.boundary.geojson) for group in layout.groups])
    return dict(shapes.mapping(union))


def random_maps(
    maps: int = 60, resolutions: Sequence[int] = (9, 10), per_cell: Sequence[int] = (1, 5, 30)
) -> RandomMaps:
    """Incidents uniform over the irregular area (``irregular_area``), binned to its whole cells
    (incidents in cut cells are dropped, as in a run), and the hot spot map of each."""
    geometry = irregular_area()
    polygon = shapes.shape(geometry)
    rows = []
    area_km2 = polygon_km2(polygon)
    for resolution in resolutions:
        area = study_cells(geometry, resolution)
        neighbours = ring1_neighbours(area.cells)
        points = {per: round(per * area.size * area_km2 / area.area_km2) for per in per_cell}
        for per, count in points.items():
            discoveries = 0
            for seed in range(maps):
                lng, lat = _uniform_points(polygon, count, np.random.default_rng([seed, resolution, per]))
                result = unmasked_hotspots(area.counts(lat, lng), neighbours)
                discoveries += bool(result.significant.any())
            rows.append((resolution, per, area.size, area.cut, discoveries))
    return RandomMaps(maps, area_km2, rows)


def polygon_km2(polygon: shapely.Geometry) -> float:
    from argus.geo.area import spherical_area_m2

    return spherical_area_m2(polygon) / 1e6


def _uniform_points(
    polygon: shapely.Geometry, count: int, rng: np.random.Generator
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``count`` points uniform over ``polygon`` (longitude, latitude), by rejection from its box."""
    west, south, east, north = polygon.bounds
    xs: list[npt.NDArray[np.float64]] = []
    ys: list[npt.NDArray[np.float64]] = []
    kept = 0
    while kept < count:
        x = rng.uniform(west, east, 2 * (count - kept) + 64)
        y = rng.uniform(south, north, x.size)
        inside = shapely.contains_xy(polygon, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        kept += int(inside.sum())
    return np.concatenate(xs)[:count], np.concatenate(ys)[:count]


def report(evaluation: Evaluation) -> str:
    lines = [
        f"{evaluation.name}: {evaluation.incidents} incidents in {evaluation.cells} cells (H3 res 9, empty "
        f"ones included) over {evaluation.area_km2:.1f} km², {evaluation.area}; {evaluation.outside} "
        f"outside the whole cells; trained on {evaluation.train_weeks} weeks, scored on "
        f"{evaluation.test_weeks}",
        f"  {'ranking':<8} {'area':>5} {'cells':>6} {'hit rate':>9} {'PAI':>7} {'PEI':>6}",
    ]
    for method, scores in evaluation.scores.items():
        for s in scores:
            figures = f"{s.cells:>6} {s.hit_rate:>9.3f} {s.pai:>7.2f} {s.pei:>6.2f}"
            lines.append(f"  {method:<8} {s.coverage:>5.0%} {figures}")
    return "\n".join(lines)


def report_planted(check: PlantedCheck) -> str:
    seeds = ", ".join(str(s) for s in check.seeds)
    lines = [
        f"emerging hot spots, synthetic city (seeds {seeds}, {check.incidents} incidents, 52 weeks, "
        "H3 res 9):",
        f"  {'planted':<9} {'expected':<22} {'got':>6}  categories found",
    ]
    for profile, categories in check.found.items():
        seen = ", ".join(f"{c.value} x{k}" for c, k in Counter(categories).most_common())
        lines.append(
            f"  {profile:<9} {EXPECTED[profile].value:<22} {check.hits(profile)}/{len(categories):<4}  {seen}"
        )
    return "\n".join(lines)


def report_random_cubes(cubes: RandomCubes) -> str:
    found = ", ".join(f"{c.value} x{k}" for c, k in cubes.categories.most_common()) or "none"
    return (
        f"spatially random cubes ({cubes.cubes}, {cubes.cells} cells x 52 weeks, {cubes.weekly} incidents a "
        f"week): {cubes.cubes - cubes.with_pattern} of {cubes.cubes} "
        f"({cubes.share_without_pattern:.0%}) show no pattern anywhere; categories found: {found}"
    )


def report_random_maps(maps: RandomMaps) -> str:
    lines = [
        f"false discoveries on spatially random maps ({maps.maps} a row) over an irregular study area "
        f"({maps.area_km2:.1f} km², 16 synthetic watch groups):",
        f"  {'res':>3} {'per cell':>8} {'cells':>6} {'cut':>5} {'maps with a discovery':>22}",
    ]
    for resolution, per, cells, cut, found in maps.rows:
        lines.append(f"  {resolution:>3} {per:>8} {cells:>6} {cut:>5} {found:>12} ({found / maps.maps:.1%})")
    return "\n".join(lines)
