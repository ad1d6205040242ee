"""Mann-Kendall against brute force, the textbook tie-corrected variance and scipy's kendalltau."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pytest
from argus.patterns.stats import mann_kendall
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

# small integer values give many ties; floats give none
series = st.one_of(
    st.lists(st.integers(0, 4), min_size=3, max_size=40),
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=40),
)


def reference(x: list[float]) -> tuple[int, float, float]:
    """S over all pairs, Var(S) with the tie correction, continuity-corrected z."""
    t = len(x)
    s = sum(int(np.sign(x[j] - x[i])) for i, j in itertools.combinations(range(t), 2))
    ties = sum(g * (g - 1) * (2 * g + 5) for g in Counter(x).values())
    var = (t * (t - 1) * (2 * t + 5) - ties) / 18
    z = 0.0 if s == 0 or var == 0 else (s - math.copysign(1, s)) / math.sqrt(var)
    return s, var, z


@settings(max_examples=300, deadline=None)
@given(x=series)
def test_s_variance_and_z_equal_the_reference(x: list[float]) -> None:
    result = mann_kendall(np.array(x))
    s, var, z = reference(x)
    assert result.s[0] == s
    assert result.var_s[0] == pytest.approx(var, rel=1e-12)
    assert result.z[0] == pytest.approx(z, rel=1e-12, abs=1e-12)
    assert result.p[0] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9, abs=1e-15)


@settings(max_examples=300, deadline=None)
@given(x=series)
def test_kendalltau_relationship(x: list[float]) -> None:
    """tau-b of (time, x) is S / sqrt(n0 (n0 - n2)); without the continuity correction, z is the statistic
    behind scipy's asymptotic kendalltau p-value."""
    values = np.array(x)
    if np.all(values == values[0]):
        return  # kendalltau is undefined for a constant series
    t = np.arange(values.size)
    tau = stats.kendalltau(t, values)
    plain = mann_kendall(values, continuity=False)
    assert plain.tau[0] == pytest.approx(tau.statistic, rel=1e-9, abs=1e-12)
    asymptotic = stats.kendalltau(t, values, method="asymptotic")
    assert plain.p[0] == pytest.approx(asymptotic.pvalue, rel=1e-7, abs=1e-12)


def test_rows_are_independent_series() -> None:
    rng = np.random.default_rng(5)
    cube = rng.integers(0, 3, size=(50, 52)).astype(np.float64)
    cube[7] += np.arange(52) / 5  # a rising series
    result = mann_kendall(cube)
    for row in (0, 7, 49):
        single = mann_kendall(cube[row])
        assert (result.s[row], result.var_s[row], result.z[row]) == (
            single.s[0],
            single.var_s[0],
            single.z[0],
        )
    assert result.increasing()[7] and not result.decreasing()[7]


def test_constant_series_has_no_trend_and_bad_input_is_refused() -> None:
    flat = mann_kendall(np.ones(10))
    assert (flat.s[0], flat.var_s[0], flat.z[0], flat.p[0]) == (0, 0.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="NaN"):
        mann_kendall([1.0, float("nan"), 2.0])
    with pytest.raises(ValueError, match="T >= 2"):
        mann_kendall([1.0])
