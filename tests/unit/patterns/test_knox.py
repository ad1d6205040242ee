"""Knox test: close pairs and close-close counts against an O(n²) count, and its significance."""

from __future__ import annotations

import numpy as np
import pytest
from argus.patterns.stats import close_pairs, knox_table, knox_test
from hypothesis import given, settings
from hypothesis import strategies as st

# integer coordinates and times put many pairs exactly on the thresholds
points = st.integers(2, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 30), min_size=n, max_size=n),
        st.lists(st.integers(0, 30), min_size=n, max_size=n),
        st.lists(st.integers(0, 20), min_size=n, max_size=n),
    )
)


def brute_pairs(x: np.ndarray, y: np.ndarray, distance: float) -> set[tuple[int, int]]:
    n = x.size
    return {
        (i, j)
        for i in range(n)
        for j in range(i + 1, n)
        if (x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2 <= distance**2
    }


@settings(max_examples=200, deadline=None)
@given(data=points, distance=st.sampled_from([0.0, 1.0, 5.0, 7.5, 13.0]))
def test_close_pairs_equal_brute_force(data: tuple[list[int], list[int], list[int]], distance: float) -> None:
    x, y = np.array(data[0], dtype=np.float64), np.array(data[1], dtype=np.float64)
    i, j = close_pairs(x, y, distance)
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == brute_pairs(x, y, distance)
    assert len(i) == len(brute_pairs(x, y, distance))  # no duplicates


@settings(max_examples=200, deadline=None)
@given(data=points)
def test_close_close_counts_equal_brute_force(data: tuple[list[int], list[int], list[int]]) -> None:
    x, y, t = (np.array(v, dtype=np.float64) for v in data)
    space_edges, time_edges = [2.0, 5.0, 10.0], [1.0, 3.0]
    table = knox_table(x, y, t, space_edges=space_edges, time_edges=time_edges, permutations=5, seed=1)

    expected = np.zeros((3, 2), dtype=np.int64)
    for i in range(x.size):
        for j in range(i + 1, x.size):
            d2 = (x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2
            gap = abs(t[i] - t[j])
            s = next((b for b, e in enumerate(space_edges) if d2 <= e * e), None)
            u = next((b for b, e in enumerate(time_edges) if gap <= e), None)
            if s is not None and u is not None:
                expected[s, u] += 1
    np.testing.assert_array_equal(table.observed, expected)

    single = knox_test(x, y, t, distance=5.0, interval=3.0, permutations=5, seed=1)
    assert single.observed == expected[:2].sum()
    assert single.space_close_pairs == len(brute_pairs(x, y, 5.0))


def near_repeat_data(seed: int, repeats: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """600 burglaries over 4 km and 120 days, ``repeats`` of them within ~30 m and 5 days of another."""
    rng = np.random.default_rng(seed)
    x, y, t = rng.random(600) * 4000, rng.random(600) * 4000, rng.random(600) * 120
    source = rng.integers(0, 600 - repeats, repeats)
    x[600 - repeats :] = x[source] + rng.normal(0, 15, repeats)
    y[600 - repeats :] = y[source] + rng.normal(0, 15, repeats)
    t[600 - repeats :] = t[source] + rng.random(repeats) * 5
    return x, y, t


def test_near_repeats_are_significant_and_chance_is_not() -> None:
    planted = knox_test(*near_repeat_data(1, 60), distance=100, interval=7, seed=2)
    assert planted.p_value <= 0.002 and planted.ratio > 2

    chance = [knox_test(*near_repeat_data(s, 0), distance=100, interval=7, seed=s).p_value for s in range(5)]
    assert min(chance) > 0.01
    table = knox_table(*near_repeat_data(1, 60), space_edges=[50, 100, 200], time_edges=[7, 14], seed=3)
    assert table.p_value[0, 0] <= 0.002 and table.ratio[0, 0] > table.ratio[2, 1]
    assert table.expected.shape == (3, 2) and np.all(table.expected > 0)


def test_bad_thresholds_are_refused() -> None:
    x = np.zeros(3)
    with pytest.raises(ValueError, match="increasing"):
        knox_table(x, x, x, space_edges=[5, 2], time_edges=[1])
    with pytest.raises(ValueError, match="distance"):
        close_pairs(x, x, -1)
    with pytest.raises(ValueError, match="one value per point"):
        knox_table(x, x, np.zeros(2), space_edges=[1], time_edges=[1])
