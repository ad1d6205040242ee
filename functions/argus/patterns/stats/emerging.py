"""Emerging hot spot analysis: a space-time cube of weekly counts per H3 cell, Gi* per week with
permutation inference and FDR, a Mann-Kendall trend per cell on its weekly Gi* z-scores, and the
ArcGIS categories (see docs/patterns.md for the rules and why the cube is built at H3 resolution 9).

Rules, for ``T`` weeks, ``H``/``C`` the significant hot/cold weeks of a cell (BH-controlled per week),
"≥90%" meaning ``10 · count >= 9 · T`` and the trend significant when its two-sided p <= ``trend_alpha``:

- final week hot:
    ≥90% hot: intensifying (z trend up), diminishing (down), else persistent;
    otherwise: oscillating if any week was cold; new if the only hot week is the final one;
    consecutive if the hot weeks are one run of ≥2 ending in the final week; else sporadic.
- final week cold: the same with hot and cold swapped (intensifying cold = z trend down).
- otherwise: historical hot if ≥90% hot, historical cold if ≥90% cold, else no pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from argus.patterns.stats.gistar import DEFAULT_ALPHA, gi_star_z, unmasked_hotspots
from argus.patterns.stats.grid import CellArray, FloatArray, IntArray, Neighbours, bin_points
from argus.patterns.stats.permutation import BoolArray, Scheme, conditional_counts, index_table, resolve_seed
from argus.patterns.stats.trend import MannKendall, mann_kendall

CUBE_RESOLUTION = 9
DAYS_PER_BIN = 7.0


class Category(StrEnum):
    NEW_HOT = "new hot spot"
    CONSECUTIVE_HOT = "consecutive hot spot"
    INTENSIFYING_HOT = "intensifying hot spot"
    PERSISTENT_HOT = "persistent hot spot"
    DIMINISHING_HOT = "diminishing hot spot"
    SPORADIC_HOT = "sporadic hot spot"
    OSCILLATING_HOT = "oscillating hot spot"
    HISTORICAL_HOT = "historical hot spot"
    NEW_COLD = "new cold spot"
    CONSECUTIVE_COLD = "consecutive cold spot"
    INTENSIFYING_COLD = "intensifying cold spot"
    PERSISTENT_COLD = "persistent cold spot"
    DIMINISHING_COLD = "diminishing cold spot"
    SPORADIC_COLD = "sporadic cold spot"
    OSCILLATING_COLD = "oscillating cold spot"
    HISTORICAL_COLD = "historical cold spot"
    NONE = "no pattern detected"


CATEGORIES: tuple[Category, ...] = tuple(Category)


@dataclass(frozen=True)
class SpaceTimeCube:
    """Counts per cell (rows, sorted H3 ``cells``) and time bin (columns of ``days_per_bin`` days)."""

    cells: CellArray
    counts: IntArray
    days_per_bin: float = DAYS_PER_BIN

    @property
    def steps(self) -> int:
        return int(self.counts.shape[1])


def cube_counts(cell: IntArray, step: IntArray, n_cells: int, steps: int) -> IntArray:
    """``(n_cells, steps)`` counts of points with cell position ``cell`` and time bin ``step``; points
    with a negative cell or a step outside ``[0, steps)`` are left out."""
    keep = (cell >= 0) & (cell < n_cells) & (step >= 0) & (step < steps)
    flat = cell[keep] * steps + step[keep]
    return np.bincount(flat, minlength=n_cells * steps).reshape(n_cells, steps).astype(np.int64)


def build_cube(
    lat: npt.ArrayLike,
    lng: npt.ArrayLike,
    day: npt.ArrayLike,
    *,
    resolution: int = CUBE_RESOLUTION,
    steps: int | None = None,
    days_per_bin: float = DAYS_PER_BIN,
) -> SpaceTimeCube:
    """Weekly (``days_per_bin``) cube of the cells with at least one point in the period (ArcGIS's
    default set of locations); ``day`` counts days from the start of the first bin."""
    days = np.asarray(day, dtype=np.float64)
    step = np.floor(days / days_per_bin).astype(np.int64)
    n_steps = int(step.max()) + 1 if steps is None else steps
    binned = bin_points(lat, lng, resolution)
    return SpaceTimeCube(
        binned.cells, cube_counts(binned.point_cell, step, binned.cells.shape[0], n_steps), days_per_bin
    )


@dataclass(frozen=True)
class EmergingResult:
    """Per cell: ``category``; per cell and step: Gi* ``z`` (standardised by the whole cube), the
    two-sided ``p_value``, ``hot`` and ``cold`` (each step tested on its own with the hot spots already
    found set aside: ``unmasked_hotspots``); esda-style ``p_sim`` when permutations were drawn (NaN
    otherwise); per cell: ``trend`` (Mann-Kendall on the z series); ``seed``: the seed of the shared
    draw table, if any."""

    category: list[Category]
    z: FloatArray
    p_sim: FloatArray
    p_value: FloatArray
    hot: BoolArray
    cold: BoolArray
    trend: MannKendall
    seed: int | None


def emerging_hotspots(
    counts: npt.ArrayLike,
    neighbours: Neighbours,
    *,
    permutations: int = 0,
    seed: int | None = None,
    scheme: Scheme = "legacy",
    alpha: float = DEFAULT_ALPHA,
    trend_alpha: float = 0.05,
) -> EmergingResult:
    """Emerging hot spot analysis of a ``(cells, steps)`` count cube on its cells' ``neighbours``
    (the rules and their reasons: docs/patterns.md, *Emerging hot spot analysis*).

    - Hot and cold bins: every step is a map of its own, tested with ``unmasked_hotspots`` (exact
      p-values under total randomisation, BH within the step, hot spots already found set aside so
      that a strong new cluster does not mask the others).
    - Trend: Mann-Kendall on each cell's z series, z standardised by the whole cube (ArcGIS's default):
      per cell an increasing function of its window sums, so another cell's new cluster cannot give it
      a trend, as per-step standardisation did.
    - ``permutations > 0`` also gives esda's ``p_sim`` per step (one draw table for every step, as if
      esda were called with the same seed each week); nothing decides on it.

    Raises ``ValueError`` for fewer than two steps or a shape mismatch."""
    cube = np.asarray(counts, dtype=np.float64)
    if cube.ndim != 2 or cube.shape[0] != neighbours.n or cube.shape[1] < 2:
        raise ValueError(f"counts has shape {cube.shape}; need ({neighbours.n}, steps >= 2)")
    z = gi_star_z(cube, neighbours, over="all")
    p_sim = np.full(z.shape, np.nan)
    root = None
    if permutations > 0 and neighbours.n >= 2:
        root = resolve_seed(seed)
        table = index_table(neighbours.n, int(neighbours.cardinality.max()), permutations, root, scheme)
        for step in range(cube.shape[1]):
            p_sim[:, step] = conditional_counts(
                cube[:, step], neighbours, permutations=permutations, table=table
            ).p_sim
    p_value = np.empty_like(z)
    hot = np.zeros(z.shape, dtype=bool)
    cold = np.zeros(z.shape, dtype=bool)
    for step in range(cube.shape[1]):
        result = unmasked_hotspots(cube[:, step], neighbours, alpha=alpha, z=z[:, step])
        p_value[:, step] = result.p_value
        hot[:, step], cold[:, step] = result.hot, result.cold
    trend = mann_kendall(z)
    categories = classify(hot, cold, trend, trend_alpha)
    return EmergingResult(categories, z, p_sim, p_value, hot, cold, trend, root)


def classify(
    hot: npt.ArrayLike, cold: npt.ArrayLike, trend: MannKendall, trend_alpha: float = 0.05
) -> list[Category]:
    """The category of every row of the ``(cells, steps)`` significance flags (rules in the module
    docstring). Raises ``ValueError`` if a bin is flagged both hot and cold or shapes disagree."""
    h = np.asarray(hot, dtype=bool)
    c = np.asarray(cold, dtype=bool)
    if h.shape != c.shape or h.ndim != 2 or h.shape[0] != trend.z.shape[0]:
        raise ValueError("hot, cold and trend must describe the same cells and steps")
    if (h & c).any():
        raise ValueError("a bin cannot be both hot and cold")
    up, down = trend.increasing(trend_alpha), trend.decreasing(trend_alpha)
    codes = np.full(h.shape[0], CATEGORIES.index(Category.NONE), dtype=np.int64)
    cold_codes = _family(c, h, down, up)
    hot_codes = _family(h, c, up, down)
    steps = h.shape[1]
    codes = np.where(10 * c.sum(axis=1) >= 9 * steps, CATEGORIES.index(Category.HISTORICAL_COLD), codes)
    codes = np.where(10 * h.sum(axis=1) >= 9 * steps, CATEGORIES.index(Category.HISTORICAL_HOT), codes)
    codes = np.where(c[:, -1], cold_codes + 8, codes)
    codes = np.where(h[:, -1], hot_codes, codes)
    return [CATEGORIES[i] for i in codes.tolist()]


def _family(same: BoolArray, other: BoolArray, strengthening: BoolArray, weakening: BoolArray) -> IntArray:
    """Category index (hot numbering, 0-6) for rows whose final step is in ``same``."""
    steps = same.shape[1]
    count = same.sum(axis=1)
    final_run = np.cumprod(same[:, ::-1], axis=1).sum(axis=1)
    mostly = 10 * count >= 9 * steps
    order = CATEGORIES.index
    rare = np.select(
        [other.any(axis=1), (final_run == count) & (count == 1), final_run == count],
        [order(Category.OSCILLATING_HOT), order(Category.NEW_HOT), order(Category.CONSECUTIVE_HOT)],
        default=order(Category.SPORADIC_HOT),
    )
    frequent = np.select(
        [strengthening, weakening],
        [order(Category.INTENSIFYING_HOT), order(Category.DIMINISHING_HOT)],
        default=order(Category.PERSISTENT_HOT),
    )
    return np.where(mostly, frequent, rare).astype(np.int64)
