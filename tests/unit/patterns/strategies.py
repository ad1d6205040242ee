"""Hypothesis strategies for the pattern tests: small neighbour structures with integer values."""

from __future__ import annotations

import numpy as np
from argus.patterns.stats import Neighbours
from hypothesis import strategies as st


@st.composite
def small_graphs(draw: st.DrawFn, max_n: int = 9, max_value: int = 6) -> tuple[Neighbours, np.ndarray]:
    """A random (not necessarily symmetric) neighbour structure on 2..max_n cells, islands allowed, and
    integer values with plenty of ties."""
    n = draw(st.integers(2, max_n))
    lists = [
        sorted(draw(st.sets(st.sampled_from([j for j in range(n) if j != i]), max_size=min(6, n - 1))))
        for i in range(n)
    ]
    indptr = np.cumsum([0] + [len(a) for a in lists]).astype(np.int64)
    indices = np.array([j for a in lists for j in a], dtype=np.int64)
    values = np.array(draw(st.lists(st.integers(0, max_value), min_size=n, max_size=n)), dtype=np.float64)
    return Neighbours(indptr, indices), values
