"""Conditional permutation counts: the cell-free counting algorithm against a per-cell brute force."""

from __future__ import annotations

import numpy as np
import pytest
from argus.patterns.stats import Neighbours, conditional_counts, index_table
from argus.patterns.stats.permutation import PermutationCounts
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.patterns.conftest import Grid
from tests.unit.patterns.strategies import small_graphs


def brute_counts(y: np.ndarray, nb: Neighbours, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """esda's loop: for cell i, draw j means cell j (j < i) or j + 1 (j >= i)."""
    lag = nb.lag(y)
    p = table.shape[0]
    n_ge, n_le = np.full(nb.n, p), np.full(nb.n, p)
    for i, k in enumerate(nb.cardinality.tolist()):
        if k == 0:
            continue
        draws = table[:, :k]
        sums = y[draws + (draws >= i)].sum(axis=1)
        n_ge[i], n_le[i] = (sums >= lag[i]).sum(), (sums <= lag[i]).sum()
    return n_ge, n_le


@settings(max_examples=150, deadline=None)
@given(graph=small_graphs(), seed=st.integers(0, 2**32 - 1), scheme=st.sampled_from(["legacy", "fast"]))
def test_counts_equal_the_per_cell_loop(graph: tuple[Neighbours, np.ndarray], seed: int, scheme: str) -> None:
    nb, y = graph
    k_max = int(nb.cardinality.max())
    table = index_table(nb.n, k_max, 60, seed, scheme)  # type: ignore[arg-type]

    counts = conditional_counts(y, nb, permutations=60, table=table)

    n_ge, n_le = brute_counts(y, nb, table)
    np.testing.assert_array_equal(counts.n_ge, n_ge)
    np.testing.assert_array_equal(counts.n_le, n_le)


def test_counts_equal_the_loop_on_a_city_with_float_values(city_grid: Grid) -> None:
    """Non-integer values and thousands of cells exercise the blocked dominance count."""
    nb = city_grid.neighbours
    y = city_grid.counts * 0.37 + np.random.default_rng(2).random(nb.n)
    table = index_table(nb.n, 6, 199, 11, "fast")

    counts = conditional_counts(y, nb, permutations=199, table=table, cells=np.arange(0, nb.n, 7))

    n_ge, n_le = brute_counts(y, nb, table)
    np.testing.assert_array_equal(counts.n_ge, n_ge[::7])
    np.testing.assert_array_equal(counts.n_le, n_le[::7])


def test_legacy_table_is_randomstate_permutations() -> None:
    table = index_table(500, 6, 40, 12345)
    state = np.random.RandomState(12345)
    expected = np.array([state.permutation(499)[:6] for _ in range(40)])
    np.testing.assert_array_equal(table, expected)


@pytest.mark.parametrize("n", [8, 5000])
def test_fast_table_rows_are_distinct_draws(n: int) -> None:
    table = index_table(n, 6, 3000, 3, "fast")
    assert table.min() >= 0 and table.max() <= n - 2
    ordered = np.sort(table, axis=1)
    assert not (ordered[:, 1:] == ordered[:, :-1]).any()
    # uniform over range(n - 1): the mean draw is (n - 2) / 2 within a few standard errors
    se = np.sqrt(((n - 1) ** 2 - 1) / 12 / table.size)
    assert abs(table.mean() - (n - 2) / 2) < 5 * se
    assert not np.array_equal(table, index_table(n, 6, 3000, 3, "fast", stream=1))


def test_p_values_follow_their_formulas() -> None:
    counts = PermutationCounts(
        permutations=999,
        n_ge=np.array([0, 999, 500, 30]),
        n_le=np.array([999, 999, 600, 970]),
        larger=np.array([0, 999, 500, 30]),
    )
    # directed: min(larger, P - larger); the all-ties cell gets 1/(P+1) (esda's artefact)
    np.testing.assert_allclose(counts.p_sim, [1 / 1000, 1 / 1000, 500 / 1000, 31 / 1000])
    np.testing.assert_allclose(counts.p_two_sided, [2 / 1000, 1.0, 1.0, 62 / 1000])
    assert counts.tail.tolist() == [1, 0, 1, 1]


def test_bad_inputs_are_refused(city_grid: Grid) -> None:
    nb = city_grid.neighbours
    with pytest.raises(ValueError, match="shape"):
        conditional_counts(np.zeros(3), nb)
    with pytest.raises(ValueError, match="table"):
        conditional_counts(np.zeros(nb.n), nb, permutations=9, table=np.zeros((9, 2), dtype=np.int64))
    with pytest.raises(ValueError, match="scheme"):
        index_table(10, 2, 5, 1, "bogus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="distinct"):
        index_table(3, 3, 5, 1)
