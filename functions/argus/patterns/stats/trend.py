"""Mann-Kendall trend test, vectorised over many series (one row per cell, one column per time step).

    S      = Σ_{i<j} sign(x_j - x_i)
    Var(S) = [T(T-1)(2T+5) - Σ_g t_g(t_g-1)(2t_g+5)] / 18      (t_g: sizes of groups of tied values)
    z      = (S - sign(S)) / sqrt(Var(S))                      (continuity correction; 0 when S = 0)
    p      = 2 · (1 - Φ(|z|))                                   (two-sided)

Times are distinct, so Kendall's tau-b of (time, x) is ``S / sqrt(n0 · (n0 - n2))`` with
``n0 = T(T-1)/2`` and ``n2 = Σ_g t_g(t_g-1)/2``, and without the continuity correction ``z`` is the
statistic behind ``scipy.stats.kendalltau(..., method="asymptotic")``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from argus.patterns.stats.grid import FloatArray, IntArray


@dataclass(frozen=True)
class MannKendall:
    """Per series: ``s``, ``var_s`` (tie-corrected), ``z``, two-sided ``p`` and ``tau`` (tau-b)."""

    s: IntArray
    var_s: FloatArray
    z: FloatArray
    p: FloatArray
    tau: FloatArray

    def increasing(self, alpha: float = 0.05) -> npt.NDArray[np.bool_]:
        return (self.p <= alpha) & (self.z > 0)

    def decreasing(self, alpha: float = 0.05) -> npt.NDArray[np.bool_]:
        return (self.p <= alpha) & (self.z < 0)


def mann_kendall(series: npt.ArrayLike, *, continuity: bool = True) -> MannKendall:
    """Mann-Kendall test of every row of ``series`` (``(T,)`` or ``(n, T)``, ``T >= 2``; a 1-D input
    gives length-1 results). Raises ``ValueError`` for NaN or fewer than two time steps."""
    x = np.asarray(series, dtype=np.float64)
    if x.ndim == 1:
        x = x[np.newaxis, :]
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError(f"series has shape {np.shape(series)}; need (T,) or (n, T) with T >= 2")
    if np.isnan(x).any():
        raise ValueError("series must not contain NaN")
    n_series, t = x.shape
    s = np.zeros(n_series, dtype=np.int64)
    for lag in range(1, t):
        s += np.sign(x[:, lag:] - x[:, :-lag]).astype(np.int64).sum(axis=1)
    ties = tie_groups(x)
    var_s = (t * (t - 1) * (2 * t + 5) - ties[0]) / 18.0
    shift = np.sign(s) if continuity else np.zeros_like(s)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var_s > 0, (s - shift) / np.sqrt(var_s), 0.0)
    p = np.minimum(1.0, 2.0 * special.ndtr(-np.abs(z)))
    n0 = t * (t - 1) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.where(n0 - ties[1] > 0, s / np.sqrt(n0 * (n0 - ties[1])), 0.0)
    return MannKendall(s=s, var_s=var_s, z=z, p=p, tau=tau)


def tie_groups(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per row: ``Σ t(t-1)(2t+5)`` and ``Σ t(t-1)/2`` over the groups of equal values."""
    n_series, t = x.shape
    ordered = np.sort(x, axis=1)
    starts = np.ones((n_series, t), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    flat = np.flatnonzero(starts.ravel())
    sizes = np.diff(np.append(flat, n_series * t)).astype(np.float64)
    rows = flat // t
    variance_term = np.bincount(rows, weights=sizes * (sizes - 1) * (2 * sizes + 5), minlength=n_series)
    pair_term = np.bincount(rows, weights=sizes * (sizes - 1) / 2, minlength=n_series)
    return variance_term.astype(np.float64), pair_term.astype(np.float64)
