"""Benjamini-Hochberg against scipy and against the step-up rule written out."""

from __future__ import annotations

import numpy as np
import pytest
from argus.patterns.stats import bh_adjust, bh_reject
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

p_lists = st.lists(
    st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.001, 0.01, 0.05, 0.5, 1.0])), min_size=1, max_size=60
)


@settings(max_examples=300, deadline=None)
@given(p=p_lists)
def test_adjusted_p_values_equal_scipy(p: list[float]) -> None:
    np.testing.assert_allclose(
        bh_adjust(p), stats.false_discovery_control(p, method="bh"), rtol=1e-12, atol=0
    )


@settings(max_examples=300, deadline=None)
@given(p=p_lists, alpha=st.sampled_from([0.01, 0.05, 0.1]))
def test_rejections_follow_the_step_up_rule(p: list[float], alpha: float) -> None:
    values = np.array(p)
    m = values.size
    ordered = np.sort(values)
    passing = np.flatnonzero(ordered <= alpha * np.arange(1, m + 1) / m)
    threshold = ordered[passing[-1]] if passing.size else -1.0
    np.testing.assert_array_equal(bh_reject(values, alpha), values <= threshold)


def test_adjusts_each_row_along_an_axis() -> None:
    rng = np.random.default_rng(1)
    p = rng.random((4, 30))
    adjusted = bh_adjust(p, axis=1)
    for row in range(4):
        np.testing.assert_allclose(adjusted[row], stats.false_discovery_control(p[row]))
    np.testing.assert_allclose(bh_adjust(p.T, axis=0), adjusted.T)


def test_refuses_values_that_are_not_p_values() -> None:
    with pytest.raises(ValueError, match="NaN"):
        bh_adjust([0.1, float("nan")])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        bh_adjust([0.1, 1.5])
    with pytest.raises(ValueError, match="alpha"):
        bh_reject([0.1], alpha=0)
    assert bh_adjust([]).shape == (0,)
