"""Forecast quality of a hotspot map: PAI, PEI and PEI* at a fixed share of the area.

A forecast ranks cells (from training weeks); the top-ranked cells up to ``coverage`` of the total area
are flagged, and the test weeks' incidents score the flag set. With ``N`` test incidents over area ``A``
and ``n`` of them in the flagged area ``a``:

- PAI  = (n / N) / (a / A)                     (Chainey et al. 2008): hit rate per share of area.
- PEI  = PAI / PAI_max = n / n_max            (Hunt 2016): ``n_max`` is the most incidents any choice of
  the same number of cells could have caught (the cells with the most test incidents).
- PEI* = PAI / PAI*                            (White, Hunt & Green 2023): ``PAI*`` is the PAI of the best
  choice of at most the same number of cells that only takes cells with at least one test incident, so a
  perfect forecast is not charged for empty cells it would never flag. It equals PEI unless fewer cells
  had incidents than were flagged.

Ties in the ranking are broken by cell order (stable), so results are deterministic; cells are taken
whole until the flagged area reaches ``coverage · A`` (at least one cell).
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
    """Scores of one flag set: ``cells`` flagged covering ``area_share`` of the area, ``hit_rate``
    (n / N), ``pai``, ``pei`` and ``pei_star`` (NaN when there were no test incidents)."""

    coverage: float
    cells: int
    area_share: float
    captured: int
    hit_rate: float
    pai: float
    pei: float
    pei_star: float


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
    """PAI, PEI and PEI* of ``ranking`` against the incidents per cell of the test period, at each
    coverage. ``areas`` defaults to equal cells. Raises ``ValueError`` for mismatched lengths or negative
    counts."""
    counts = np.asarray(test_counts, dtype=np.float64)
    area = np.ones_like(counts) if areas is None else np.asarray(areas, dtype=np.float64)
    if np.shape(ranking) != counts.shape or area.shape != counts.shape or counts.ndim != 1:
        raise ValueError("ranking, test_counts and areas must be 1-D arrays of the same length")
    if counts.size == 0 or counts.min() < 0:
        raise ValueError("test_counts must be non-empty and non-negative")
    total, total_area = counts.sum(), area.sum()
    best = np.argsort(-counts, kind="stable")
    scores = []
    for coverage in coverages:
        flagged = flag_cells(ranking, area, coverage)
        k = flagged.size
        n, a = counts[flagged].sum(), area[flagged].sum()
        ideal = best[:k]
        n_max = counts[ideal].sum()
        useful = ideal[counts[ideal] > 0]
        pai = _pai(n, total, a, total_area)
        pai_max = _pai(n_max, total, area[ideal].sum(), total_area)
        pai_star = _pai(n_max, total, area[useful].sum(), total_area) if useful.size else float("nan")
        scores.append(
            ForecastScore(
                coverage=float(coverage),
                cells=k,
                area_share=float(a / total_area),
                captured=int(n),
                hit_rate=float(n / total) if total else float("nan"),
                pai=pai,
                pei=pai / pai_max if pai_max > 0 else float("nan"),
                pei_star=pai / pai_star if pai_star > 0 else float("nan"),
            )
        )
    return scores


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
