"""Near-repeat analysis: the Knox test and its banded table (as in Ratcliffe's Near Repeat Calculator).

Two incidents are close in space when their Euclidean distance is at most ``distance`` (metres, on a
local projection) and close in time when ``|t_i - t_j| <= interval`` (days). The statistic is the number
of pairs close in both. Under the null (no space-time interaction) the times are exchangeable over the
places, so significance comes from Monte Carlo permutations of the times: the pairs close in space stay
the same, only their time gaps change, and each permutation costs one pass over those pairs.

Close pairs come from a KD-tree (``scipy.spatial.cKDTree.query_pairs``) searched a hair beyond the
radius, then filtered with ``dx² + dy² <= distance²`` so that the result is exact and matches a plain
``O(n²)`` count even for pairs sitting on the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from argus.patterns.stats.grid import FloatArray, IntArray

DEFAULT_PERMUTATIONS = 999
_CHUNK = 32  # permutations handled together (memory: _CHUNK x pairs)


def close_pairs(x: npt.ArrayLike, y: npt.ArrayLike, distance: float) -> tuple[IntArray, IntArray]:
    """Index pairs ``(i, j)``, ``i < j``, with ``(x_i - x_j)² + (y_i - y_j)² <= distance²``."""
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    if xs.shape != ys.shape or xs.ndim != 1:
        raise ValueError("x and y must be 1-D arrays of the same length")
    if distance < 0:
        raise ValueError("distance must be >= 0")
    if xs.size < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    tree = cKDTree(np.column_stack([xs, ys]))
    slack = distance * (1 + 1e-9) + 1e-9
    pairs = tree.query_pairs(slack, output_type="ndarray").astype(np.int64)
    i, j = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
    dx, dy = xs[i] - xs[j], ys[i] - ys[j]
    keep = dx * dx + dy * dy <= distance * distance
    return i[keep], j[keep]


@dataclass(frozen=True)
class KnoxTable:
    """Pair counts by space band (rows) and time band (columns). Band ``b`` of edges ``e`` holds gaps in
    ``(e[b-1], e[b]]`` (the first band starts at 0 inclusive). ``expected`` is the mean over the
    permutations, ``ratio`` observed / expected (NaN where nothing is expected) and ``p_value`` the
    one-sided Monte Carlo p-value ``(#{simulated >= observed} + 1) / (P + 1)``."""

    space_edges: FloatArray
    time_edges: FloatArray
    observed: IntArray
    expected: FloatArray
    ratio: FloatArray
    p_value: FloatArray
    permutations: int


@dataclass(frozen=True)
class KnoxResult:
    """The Knox test for one pair of thresholds: close-close pairs, their permutation expectation, the
    Knox ratio and the one-sided p-value, plus the number of pairs close in space."""

    observed: int
    expected: float
    ratio: float
    p_value: float
    space_close_pairs: int
    permutations: int


def knox_test(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    t: npt.ArrayLike,
    *,
    distance: float,
    interval: float,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int | None = None,
) -> KnoxResult:
    """Knox test of space-time interaction at ``distance`` (same unit as x, y) and ``interval`` (unit of
    t). Raises ``ValueError`` for mismatched lengths or negative thresholds."""
    table = knox_table(
        x, y, t, space_edges=[distance], time_edges=[interval], permutations=permutations, seed=seed
    )
    pairs = close_pairs(x, y, distance)[0].size
    return KnoxResult(
        observed=int(table.observed[0, 0]),
        expected=float(table.expected[0, 0]),
        ratio=float(table.ratio[0, 0]),
        p_value=float(table.p_value[0, 0]),
        space_close_pairs=pairs,
        permutations=permutations,
    )


def knox_table(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    t: npt.ArrayLike,
    *,
    space_edges: npt.ArrayLike,
    time_edges: npt.ArrayLike,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int | None = None,
) -> KnoxTable:
    """Knox counts for every (space band, time band) with permutation significance, e.g. space edges
    ``[100, 200, 300]`` m by time edges ``[7, 14, 21]`` days. Edges must be increasing and
    non-negative. Raises ``ValueError`` otherwise or for mismatched lengths."""
    times = np.asarray(t, dtype=np.float64)
    s_edges = _edges(space_edges, "space_edges")
    t_edges = _edges(time_edges, "time_edges")
    if times.shape != np.shape(x):
        raise ValueError("t must have one value per point")
    if permutations < 0:
        raise ValueError("permutations must be >= 0")
    i, j = close_pairs(x, y, float(s_edges[-1]))
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    dx, dy = xs[i] - xs[j], ys[i] - ys[j]
    # the same squared test as close_pairs: band b holds e[b-1]² < d² <= e[b]²
    space_band = np.searchsorted(s_edges * s_edges, dx * dx + dy * dy, side="left")
    shape = (s_edges.size, t_edges.size)
    observed = _counts(np.abs(times[i] - times[j])[np.newaxis, :], space_band, t_edges, shape)[0]
    rng = np.random.default_rng(seed)
    total = np.zeros(shape)
    at_least = np.zeros(shape, dtype=np.int64)
    for start in range(0, permutations, _CHUNK):
        rows = min(_CHUNK, permutations - start)
        shuffled = rng.permuted(np.broadcast_to(times, (rows, times.size)), axis=1)
        simulated = _counts(np.abs(shuffled[:, i] - shuffled[:, j]), space_band, t_edges, shape)
        total += simulated.sum(axis=0)
        at_least += (simulated >= observed).sum(axis=0)
    expected = total / permutations if permutations else np.full(shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)
    p_value = ((at_least + 1.0) / (permutations + 1.0)).astype(np.float64)
    return KnoxTable(s_edges, t_edges, observed, expected, ratio, p_value, permutations)


def _edges(values: npt.ArrayLike, name: str) -> FloatArray:
    edges = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if edges.ndim != 1 or edges.size == 0 or edges[0] < 0 or np.any(np.diff(edges) <= 0):
        raise ValueError(f"{name} must be non-empty, non-negative and increasing")
    return edges


def _counts(gaps: FloatArray, space_band: IntArray, t_edges: FloatArray, shape: tuple[int, int]) -> IntArray:
    """Pair counts per (space band, time band) for every row of ``gaps`` (one row per time labelling)."""
    rows = gaps.shape[0]
    time_band = np.searchsorted(t_edges, gaps, side="left")  # gap <= e[b]  <=>  band <= b
    inside = time_band < t_edges.size
    cell = space_band[np.newaxis, :] * shape[1] + time_band
    flat = (np.arange(rows)[:, np.newaxis] * (shape[0] * shape[1]) + cell)[inside]
    counts = np.bincount(flat, minlength=rows * shape[0] * shape[1])
    return counts.reshape(rows, *shape).astype(np.int64)
