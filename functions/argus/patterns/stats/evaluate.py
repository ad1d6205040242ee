"""Forecast quality of a hotspot map: PAI and PEI at a fixed share of the study area.

A forecast ranks the study area's cells (from training weeks); the top-ranked cells up to ``coverage`` of
the area are flagged, and the test weeks' incidents score the flag set. ``A`` is the area of every
analysed cell of the study area — empty ones included, the same cells in training and test
(``area.study_cells``) — so the figures compare with published ones. With ``N`` test incidents and ``n``
of them in the flagged area ``a``:

- PAI = (n / N) / (a / A)   (Chainey, Tompson & Uhlig 2008): hit rate per share of area.
- PEI = PAI / PAI* = n / n*  (Hunt 2016, for the NIJ Real-Time Crime Forecasting Challenge): PAI* is the
  best PAI any flag set of the same area could reach, ``n*`` the most test incidents cells of total area
  at most ``a`` hold. With cells of equal area that is the ``k`` busiest cells; H3 cells of one
  resolution differ by a few per cent, so ``n*`` is a 0/1 knapsack, solved exactly (``most_within``).

PEI* (White, Hunt & Green 2023) is not computed: its published definition could not be checked here
(docs/patterns.md). Ties in the ranking are broken by cell order (stable), so results are deterministic;
cells are taken whole until the flagged area reaches ``coverage · A`` (at least one cell).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from argus.patterns.stats.gistar import gi_star_z
from argus.patterns.stats.grid import FloatArray, IntArray, Neighbours

COVERAGES = (0.01, 0.05)


@dataclass(frozen=True)
class ForecastScore:
    """Scores of one flag set: ``cells`` flagged covering ``area_share`` of the area, ``captured`` test
    incidents of ``best`` possible (``n*``), ``hit_rate`` (n / N), ``pai`` and ``pei`` (NaN when there
    were no test incidents)."""

    coverage: float
    cells: int
    area_share: float
    captured: int
    best: int
    hit_rate: float
    pai: float
    pei: float


def flag_cells(ranking: npt.ArrayLike, areas: npt.ArrayLike, coverage: float) -> IntArray:
    """Indices of the top-ranked cells (higher ``ranking`` first, ties by index) whose area first
    reaches ``coverage`` of the total."""
    if not 0 < coverage <= 1:
        raise ValueError("coverage must lie in (0, 1]")
    score = np.asarray(ranking, dtype=np.float64)
    area = np.asarray(areas, dtype=np.float64)
    order = np.argsort(-score, kind="stable")
    needed = coverage * area.sum()
    reached = np.cumsum(area[order]) >= needed * (1 - 1e-12)
    return order[: int(np.argmax(reached)) + 1]


def score_forecast(
    ranking: npt.ArrayLike,
    test_counts: npt.ArrayLike,
    *,
    areas: npt.ArrayLike | None = None,
    coverages: Sequence[float] = COVERAGES,
) -> list[ForecastScore]:
    """PAI and PEI of ``ranking`` against the incidents per cell of the test period, at each coverage.
    The arrays cover every cell of the study area; ``areas`` defaults to equal cells. Raises
    ``ValueError`` for mismatched lengths or negative counts."""
    counts = np.asarray(test_counts, dtype=np.float64)
    area = np.ones_like(counts) if areas is None else np.asarray(areas, dtype=np.float64)
    if np.shape(ranking) != counts.shape or area.shape != counts.shape or counts.ndim != 1:
        raise ValueError("ranking, test_counts and areas must be 1-D arrays of the same length")
    if counts.size == 0 or counts.min() < 0:
        raise ValueError("test_counts must be non-empty and non-negative")
    total, total_area = counts.sum(), area.sum()
    scores = []
    for coverage in coverages:
        flagged = flag_cells(ranking, area, coverage)
        n, a = counts[flagged].sum(), area[flagged].sum()
        best = most_within(counts, area, a, flagged.size)
        scores.append(
            ForecastScore(
                coverage=float(coverage),
                cells=int(flagged.size),
                area_share=float(a / total_area),
                captured=int(n),
                best=int(best),
                hit_rate=float(n / total) if total else float("nan"),
                pai=_pai(n, total, a, total_area),
                pei=float(n / best) if best > 0 else float("nan"),
            )
        )
    return scores


def most_within(counts: FloatArray, areas: FloatArray, budget: float, cells: int) -> float:
    """``n*``: the most ``counts`` any set of cells of total area at most ``budget`` holds. Cells of equal
    area: the ``cells`` busiest. Otherwise a 0/1 knapsack, solved exactly by dynamic programming over
    the number of incidents: the least area that holds exactly ``v`` of them, for every ``v`` up to the
    total (one vectorised pass per cell with incidents: ``O(cells · N)``)."""
    if np.ptp(areas) <= 1e-12 * areas.max():
        return float(np.sort(counts)[::-1][:cells].sum())
    useful = counts > 0
    values = np.rint(counts[useful]).astype(np.int64)
    least = np.full(int(values.sum()) + 1, np.inf)
    least[0] = 0.0
    for value, area in zip(values.tolist(), areas[useful].tolist(), strict=True):
        least[value:] = np.minimum(least[value:], least[:-value] + area)
    return float(np.flatnonzero(least <= budget * (1 + 1e-12)).max())


def rank_cells(
    train_counts: npt.ArrayLike,
    neighbours: Neighbours | None = None,
    method: Literal["counts", "gistar"] = "counts",
) -> FloatArray:
    """A ranking from training counts (``(cells,)`` or ``(cells, weeks)``, summed over weeks):
    ``"counts"`` ranks by the counts themselves, ``"gistar"`` by the Gi* z-score of the totals (a
    smoothed map: cells next to busy cells rank high too)."""
    counts = np.asarray(train_counts, dtype=np.float64)
    totals = counts.sum(axis=1) if counts.ndim == 2 else counts
    if method == "counts":
        return totals
    if neighbours is None:
        raise ValueError("the gistar ranking needs the neighbour structure")
    return gi_star_z(totals, neighbours)


def evaluate_split(
    cube: npt.ArrayLike,
    split: int,
    *,
    neighbours: Neighbours | None = None,
    method: Literal["counts", "gistar"] = "counts",
    areas: npt.ArrayLike | None = None,
    coverages: Sequence[float] = COVERAGES,
) -> list[ForecastScore]:
    """Train on steps ``[0, split)`` of a ``(cells, steps)`` cube, score on ``[split, steps)``."""
    counts = np.asarray(cube, dtype=np.float64)
    if counts.ndim != 2 or not 0 < split < counts.shape[1]:
        raise ValueError("need a (cells, steps) cube and 0 < split < steps")
    ranking = rank_cells(counts[:, :split], neighbours, method)
    return score_forecast(ranking, counts[:, split:].sum(axis=1), areas=areas, coverages=coverages)


def _pai(n: float, total: float, a: float, total_area: float) -> float:
    if total == 0 or a == 0:
        return float("nan")
    return float((n / total) / (a / total_area))
