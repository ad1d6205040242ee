"""Getis-Ord Gi* on binary ring-1 weights (self included), vectorised, with permutation inference.

For cell ``i`` with ``k_i`` neighbours, ``W_i = k_i + 1`` (the self-weight is 1), ``S_i`` the sum of
its own and its neighbours' values, ``ȳ`` the mean and ``s`` the population standard deviation of all
``n`` values:

    z_i = (S_i - W_i · ȳ) / (s · sqrt((n · W_i - W_i²) / (n - 1)))

This is the textbook (Getis & Ord 1995, ArcGIS) Gi* and equals esda's
``G_Local(y, w, transform="B", star=True).Zs`` on the same binary weights. When the values are all equal
(``s = 0``) or a cell neighbours every other cell, z is 0: there is nothing to test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from argus.patterns.stats.exact import randomisation_tails, supports_exact, total_randomisation_tails
from argus.patterns.stats.fdr import bh_adjust
from argus.patterns.stats.grid import FloatArray, IntArray, Neighbours
from argus.patterns.stats.permutation import BoolArray, Scheme, conditional_counts, resolve_seed

DEFAULT_PERMUTATIONS = 999
DEFAULT_ALPHA = 0.05
PMethod = Literal["exact", "permutation", "normal"]
Null = Literal["total", "conditional"]


def gi_star_z(
    y: npt.ArrayLike, neighbours: Neighbours, *, over: Literal["column", "all"] = "column"
) -> FloatArray:
    """Gi* z-scores; ``y`` is ``(n,)``, or ``(n, t)`` for ``t`` maps (e.g. weeks). ``over`` says which
    values the mean and spread come from: each column's own (``"column"``: every map on its own), or
    every value of the array (``"all"``: each bin compared with the whole space-time cube, ArcGIS's
    default for emerging hot spots, with ``n·t`` values in the variance's ``n``)."""
    values = np.asarray(y, dtype=np.float64)
    n = neighbours.n
    if values.shape[0] != n or values.ndim not in (1, 2):
        raise ValueError(f"y has shape {values.shape}, expected ({n},) or ({n}, t)")
    weight = (neighbours.cardinality + 1.0).reshape((n,) + (1,) * (values.ndim - 1))
    star = neighbours.lag(values) + values
    if over == "all":
        mean, squares, size = values.mean(), (values * values).mean(), values.size
    else:
        mean, squares, size = values.mean(axis=0), (values * values).mean(axis=0), n
    spread = np.sqrt(np.maximum(squares - mean * mean, 0.0))
    denominator = spread * np.sqrt(np.maximum(size * weight - weight * weight, 0.0) / max(size - 1, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (star - weight * mean) / denominator
    return np.where(denominator > 0, z, 0.0)


@dataclass(frozen=True)
class HotspotResult:
    """Gi* per cell.

    ``p_sim`` is esda's directed pseudo p-value from ``permutations`` draws (reported for comparison: it
    is about twice too small under the null and must not drive decisions; NaN without permutations).
    ``p_value`` is the two-sided randomisation p-value, computed as ``p_method`` says: ``"exact"`` (the
    limit of infinitely many permutations, for counts, under ``null``: "total" by default, the null of
    Gi*'s own z; "conditional" is esda's), ``"permutation"`` (from esda's conditional draws) or
    ``"normal"`` (from z, when there are no permutations). ``p_fdr`` is its Benjamini-Hochberg
    adjustment over all cells, ``significant`` is ``p_fdr <= alpha``, and ``hot``/``cold`` split the
    significant cells by the tail the observed neighbour sum sits in. ``seed`` is the seed the draws came
    from (drawn from the OS when none was given; None when a table was passed or nothing was drawn):
    store it with a report to reproduce ``p_sim``."""

    z: FloatArray
    p_sim: FloatArray
    p_value: FloatArray
    p_fdr: FloatArray
    significant: BoolArray
    hot: BoolArray
    cold: BoolArray
    permutations: int
    p_method: PMethod
    alpha: float
    seed: int | None
    null: Null = "total"
    rounds: int = 1  # rounds of testing (``unmasked_hotspots``; 1 for ``hotspots``)

    def labels(self) -> list[str]:
        """Per cell: "hot", "cold" or an empty string."""
        return ["hot" if h else "cold" if c else "" for h, c in zip(self.hot, self.cold, strict=True)]


def hotspots(
    y: npt.ArrayLike,
    neighbours: Neighbours,
    *,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int | None = None,
    scheme: Scheme = "legacy",
    alpha: float = DEFAULT_ALPHA,
    p_method: Literal["auto", "exact", "permutation"] = "auto",
    table: IntArray | None = None,
    z: FloatArray | None = None,
    null: Null = "total",
) -> HotspotResult:
    """Gi* hot and cold spots of ``y`` (one value per cell of ``neighbours``, usually counts).

    z-scores are analytical. ``permutations`` conditional permutations (esda's draws for ``seed`` with the
    default scheme) give ``p_sim``. Decisions use a two-sided randomisation p-value: exact for
    non-negative integer counts (``p_method="auto"``/``"exact"``) under ``null`` ("total": the cell and its
    neighbours are a random subset of all cells, the null Gi*'s z is standardised under; "conditional":
    the cell keeps its own count, as in esda), else from the conditional draws; Benjamini-Hochberg
    then controls the false discovery rate at ``alpha`` over all cells. ``table`` reuses an index table
    (``(permutations, >= k_max)``, e.g. one for every week of a cube) and ``z`` precomputed z-scores.
    Raises ``ValueError`` for bad shapes, ``permutations < 0``, ``alpha`` outside (0, 1), or
    ``p_method="exact"`` on values that are not counts."""
    if permutations < 0:
        raise ValueError("permutations must be >= 0")
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie in (0, 1)")
    values = np.asarray(y, dtype=np.float64)
    z = gi_star_z(values, neighbours) if z is None else z
    n = neighbours.n
    p_sim = np.full(n, np.nan)
    counts = None
    drawn = permutations > 0 and n >= 2
    root = resolve_seed(seed) if drawn and table is None else None
    if drawn:
        counts = conditional_counts(
            values, neighbours, permutations=permutations, seed=root, scheme=scheme, table=table
        )
        p_sim = counts.p_sim
    exact = p_method == "exact" or (p_method == "auto" and supports_exact(values, neighbours))
    if exact and n >= 2:
        tails = total_randomisation_tails if null == "total" else randomisation_tails
        p_upper, p_lower = tails(values, neighbours)
        p_value = np.minimum(1.0, 2.0 * np.minimum(p_upper, p_lower))
        tail = np.sign(p_lower - p_upper)
        method: PMethod = "exact"
    elif counts is not None:
        p_value, tail, method = counts.p_two_sided, counts.tail, "permutation"
    else:
        p_value = np.where(z != 0, 2.0 * special.ndtr(-np.abs(z)), 1.0)
        tail, method = np.sign(z), "normal"
    p_fdr = bh_adjust(p_value)
    significant = p_fdr <= alpha
    return HotspotResult(
        z=z,
        p_sim=p_sim,
        p_value=p_value,
        p_fdr=p_fdr,
        significant=significant,
        hot=significant & (tail > 0),
        cold=significant & (tail < 0),
        permutations=permutations if counts is not None else 0,
        p_method=method,
        alpha=alpha,
        seed=root,
        null=null,
    )


def unmasked_hotspots(
    y: npt.ArrayLike,
    neighbours: Neighbours,
    *,
    alpha: float = DEFAULT_ALPHA,
    max_rounds: int = 50,
    z: FloatArray | None = None,
) -> HotspotResult:
    """Hot and cold spots of counts, each tested against a null without the hot spots already found
    (docs/patterns.md, *Masking*).

    Total randomisation draws a cell's window from the whole map, so a few extreme cells anywhere make
    every moderate cluster look ordinary (masking). Round 1 is ``hotspots``' exact test on every cell, BH
    over all of them. Each later round tests the cells not found hot yet, each on its whole window as
    observed, against windows drawn from the counts of those cells only — the hot spots found so far set
    aside as a scan statistic's secondary clusters are tested without the primary one — BH over them; it
    stops when a round finds no new hot cell. Cold spots are those of the last round, whose null holds no
    hot spot (an extreme hot spot in the null makes ordinary cells look cold). When every null is true,
    round 1 finds nothing with probability at least ``1 - alpha`` and nothing later happens without a
    round-1 discovery, so the chance of any discovery stays at most ``alpha``.

    ``p_value``/``p_fdr`` are a hot cell's from the round that found it, the others' from the last round;
    ``z`` is Gi* over all cells (as given, or computed). Counts only (exact p-values); no permutations
    are drawn (``p_sim`` is NaN). Raises ``ValueError`` for values that are not counts."""
    values = np.asarray(y, dtype=np.float64)
    if not supports_exact(values, neighbours):
        raise ValueError("unmasked_hotspots needs non-negative integer counts of moderate range")
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie in (0, 1)")
    z = gi_star_z(values, neighbours) if z is None else z
    n = neighbours.n
    hot = np.zeros(n, dtype=bool)
    cold = np.zeros(n, dtype=bool)
    p_value, p_fdr = np.ones(n), np.ones(n)
    w_max = int(neighbours.cardinality.max(initial=0)) + 1
    rounds = 0
    while rounds < max_rounds and (~hot).sum() >= max(w_max, 2):
        rounds += 1
        tested = np.flatnonzero(~hot)
        upper, lower = total_randomisation_tails(values, neighbours, pool=values[tested])
        two_sided = np.minimum(1.0, 2.0 * np.minimum(upper[tested], lower[tested]))
        adjusted = bh_adjust(two_sided)
        significant = adjusted <= alpha
        p_value[tested], p_fdr[tested] = two_sided, adjusted
        cold[:] = False
        cold[tested[significant & (lower[tested] < upper[tested])]] = True
        found = tested[significant & (upper[tested] < lower[tested])]
        if found.size == 0:
            break
        hot[found] = True
    return HotspotResult(
        z=z,
        p_sim=np.full(n, np.nan),
        p_value=p_value,
        p_fdr=p_fdr,
        significant=hot | cold,
        hot=hot,
        cold=cold,
        permutations=0,
        p_method="exact",
        alpha=alpha,
        seed=None,
        null="total",
        rounds=rounds,
    )
