"""Exact randomisation p-values of Gi* sums of non-negative integer counts.

``total_randomisation_tails`` (what decisions use): the cell's own count and its neighbours' are a random
``(k_i + 1)``-subset of all ``n`` counts: one lookup in the cumulative tails of ``e`` below.
``randomisation_tails`` (esda's conditional null, kept for comparison):

Conditional randomisation keeps cell ``i``'s own count and gives its ``k_i`` neighbour slots a random
``k_i``-subset of the other ``n - 1`` counts. Monte Carlo estimates the tail probabilities of the
neighbour sum with ``P`` draws, so a p-value cannot go below ``1/(P+1)``; with thousands of cells the
Benjamini-Hochberg thresholds (``r · alpha / m``) lie far below that. Here the tails are computed exactly.

- ``e_j(x) = Σ_{|A| = j} x^{Σ_{a∈A} y_a}`` counts the ``j``-subsets of all ``n`` cells by their sum. The
  power sums ``p_r(x) = Σ_a x^{r · y_a}`` give them through Newton's identities,
  ``e_j = (1/j) Σ_{r=1..j} (-1)^{r-1} e_{j-r} · p_r``: ``k_max`` rounds of FFT products.
- Leaving cell ``i`` out divides by ``(1 + t·x^{y_i})``, so for the upper tail
  ``T_{-i,k}(L) = Σ_{t=0..k} (-1)^t U_{k-t}(L - t·y_i)`` with ``U_j(s) = Σ_{s' >= s} e_j(s')``, and the
  same for the lower tail with ``F_j(s) = Σ_{s' <= s} e_j(s')``.
- ``P(sum >= L_i) = T_{-i,k_i}(L_i) / C(n-1, k_i)``. The arithmetic is float64 (counts reach ~1e24):
  the absolute error of a probability is ~1e-12, far below any threshold it is compared with.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import fft, special

from argus.patterns.stats.grid import FloatArray, IntArray, Neighbours

MAX_SUPPORT = 1 << 24  # k_max · max(y) + 1 above this: use Monte Carlo instead


def supports_exact(y: npt.ArrayLike, neighbours: Neighbours) -> bool:
    """Whether ``randomisation_tails`` applies: non-negative integer values of a moderate range."""
    values = np.asarray(y, dtype=np.float64)
    if values.size == 0 or not np.all(np.isfinite(values)) or values.min() < 0:
        return False
    if not np.array_equal(values, np.round(values)):
        return False
    k_max = int(neighbours.cardinality.max())
    return k_max * float(values.max()) + 1 <= MAX_SUPPORT


def randomisation_tails(y: npt.ArrayLike, neighbours: Neighbours) -> tuple[FloatArray, FloatArray]:
    """``(P(S >= L_i), P(S <= L_i))`` per cell, ``S`` the sum of ``k_i`` counts drawn without replacement
    from the other ``n - 1`` cells and ``L_i`` the observed neighbour sum. Islands get ``(1, 1)``. Raises
    ``ValueError`` unless ``supports_exact``."""
    if not supports_exact(y, neighbours):
        raise ValueError("exact tails need non-negative integer counts of moderate range")
    counts = np.asarray(y, dtype=np.float64).astype(np.int64)
    n = neighbours.n
    k = neighbours.cardinality
    k_max = int(k.max())
    observed = np.rint(neighbours.lag(counts)).astype(np.int64)
    length = k_max * int(counts.max()) + 1
    e = subset_sums(counts, k_max, length)
    upper = np.cumsum(e[:, ::-1], axis=1)[:, ::-1]
    lower = np.cumsum(e, axis=1)
    above = np.zeros(n)
    below = np.zeros(n)
    for t in range(k_max + 1):
        j = k - t
        live = j >= 0
        jj = np.where(live, j, 0)
        s = observed - t * counts
        sign = -1.0 if t % 2 else 1.0
        up = np.where(s >= length, 0.0, upper[jj, np.clip(s, 0, length - 1)])
        down = np.where(s < 0, 0.0, lower[jj, np.clip(s, 0, length - 1)])
        above += np.where(live, sign * up, 0.0)
        below += np.where(live, sign * down, 0.0)
    total = special.comb(n - 1, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_upper = np.clip(np.where(k > 0, above / total, 1.0), 0.0, 1.0)
        p_lower = np.clip(np.where(k > 0, below / total, 1.0), 0.0, 1.0)
    return p_upper, p_lower


def total_randomisation_tails(
    y: npt.ArrayLike, neighbours: Neighbours, pool: npt.ArrayLike | None = None
) -> tuple[FloatArray, FloatArray]:
    """``(P(S >= G_i), P(S <= G_i))`` per cell under total randomisation: ``S`` the sum of ``k_i + 1``
    counts drawn without replacement from all ``n`` cells and ``G_i`` the observed Gi* sum (the cell's own
    count and its neighbours'). This is the null whose moments standardise Gi*'s z (the variance of a
    ``W``-sample without replacement, ``W (n - W) s² / (n - 1)``), so z and p answer the same question,
    and a cell's own count counts. ``pool`` draws ``S`` from other counts instead (``unmasked_hotspots``:
    the cells not yet found hot). Raises ``ValueError`` unless ``supports_exact``."""
    if not supports_exact(y, neighbours):
        raise ValueError("exact tails need non-negative integer counts of moderate range")
    counts = np.asarray(y, dtype=np.float64).astype(np.int64)
    drawn = counts if pool is None else np.asarray(pool, dtype=np.float64).astype(np.int64)
    weight = neighbours.cardinality + 1
    w_max = int(weight.max())
    if drawn.size < w_max:
        raise ValueError(f"the pool has {drawn.size} counts; a window needs {w_max}")
    observed = np.rint(neighbours.lag(counts)).astype(np.int64) + counts
    length = w_max * int(drawn.max(initial=0)) + 1
    e = subset_sums(drawn, w_max, length)
    upper = np.cumsum(e[:, ::-1], axis=1)[:, ::-1]
    lower = np.cumsum(e, axis=1)
    total = special.comb(drawn.size, weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_upper = np.where(observed >= length, 0.0, upper[weight, np.clip(observed, 0, length - 1)] / total)
        p_lower = np.where(observed >= length, 1.0, lower[weight, np.clip(observed, 0, length - 1)] / total)
    return np.clip(p_upper, 0.0, 1.0), np.clip(p_lower, 0.0, 1.0)


def subset_sums(counts: IntArray, k_max: int, length: int) -> FloatArray:
    """``e[j, s]``: number of ``j``-subsets of ``counts`` with sum ``s`` (``j <= k_max``, ``s < length``),
    by Newton's identities on FFT-multiplied power sums."""
    size = fft.next_fast_len(2 * length - 1, real=True)
    power = [
        fft.rfft(np.bincount(r * counts[r * counts < length], minlength=length).astype(np.float64), size)
        for r in range(1, k_max + 1)
    ]
    e = np.zeros((k_max + 1, length))
    e[0, 0] = 1.0
    spectra = [fft.rfft(e[0], size)]
    for j in range(1, k_max + 1):
        acc = np.zeros_like(spectra[0])
        for r in range(1, j + 1):
            acc += (1.0 if r % 2 else -1.0) * spectra[j - r] * power[r - 1]
        row = np.maximum(fft.irfft(acc, size)[:length] / j, 0.0)
        if row.max(initial=0.0) < 2.0**52:  # exactly representable integers: remove the FFT noise
            row = np.rint(row)
        e[j] = row
        spectra.append(fft.rfft(row, size))
    return e
