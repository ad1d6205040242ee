"""Benjamini-Hochberg false-discovery-rate control."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from argus.patterns.stats.grid import FloatArray


def bh_adjust(p_values: npt.ArrayLike, axis: int = -1) -> FloatArray:
    """Benjamini-Hochberg adjusted p-values along ``axis``: ``min(1, min_{j >= i} p_(j) · m / j)`` for the
    ``i``-th smallest of ``m`` p-values, returned in the input order (the same numbers as
    ``scipy.stats.false_discovery_control(p, method="bh")``). NaN p-values are not allowed."""
    p = np.asarray(p_values, dtype=np.float64)
    if np.isnan(p).any():
        raise ValueError("p-values must not be NaN")
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError("p-values must lie in [0, 1]")
    p = np.moveaxis(p, axis, -1)
    m = p.shape[-1]
    if m == 0:
        return np.moveaxis(p.copy(), -1, axis)
    order = np.argsort(p, axis=-1, kind="stable")
    ranked = np.take_along_axis(p, order, axis=-1) * (m / np.arange(1, m + 1))
    ranked = np.minimum.accumulate(ranked[..., ::-1], axis=-1)[..., ::-1]
    adjusted = np.empty_like(ranked)
    np.put_along_axis(adjusted, order, np.minimum(ranked, 1.0), axis=-1)
    return np.moveaxis(adjusted, -1, axis)


def bh_reject(p_values: npt.ArrayLike, alpha: float = 0.05, axis: int = -1) -> npt.NDArray[np.bool_]:
    """Discoveries of the Benjamini-Hochberg step-up procedure at level ``alpha``: reject the ``r``
    smallest p-values, ``r`` the largest rank with ``p_(r) <= r · alpha / m``. Under independence (or
    positive regression dependence) of the true nulls, ``E[false discoveries / discoveries] <= alpha``;
    when every null is true that is ``P(any discovery) <= alpha``."""
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie in (0, 1)")
    return bh_adjust(p_values, axis=axis) <= alpha
