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


def gi_star_z(y: npt.ArrayLike, neighbours: Neighbours) -> FloatArray:
    """Gi* z-scores; ``y`` is ``(n,)``, or ``(n, t)`` for ``t`` independent maps (e.g. weeks)."""
    values = np.asarray(y, dtype=np.float64)
    n = neighbours.n
    if values.shape[0] != n or values.ndim not in (1, 2):
        raise ValueError(f"y has shape {values.shape}, expected ({n},) or ({n}, t)")
    weight = (neighbours.cardinality + 1.0).reshape((n,) + (1,) * (values.ndim - 1))
    star = neighbours.lag(values) + values
    mean = values.mean(axis=0)
    spread = np.sqrt(np.maximum((values * values).mean(axis=0) - mean * mean, 0.0))
    denominator = spread * np.sqrt(np.maximum(n * weight - weight * weight, 0.0) / max(n - 1, 1))
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
