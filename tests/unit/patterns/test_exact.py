"""Exact conditional-randomisation tails against enumeration of every subset, and against Monte Carlo."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from argus.patterns.stats import Neighbours, conditional_counts, randomisation_tails, supports_exact
from hypothesis import given, settings

from tests.unit.patterns.conftest import Grid
from tests.unit.patterns.strategies import small_graphs


@settings(max_examples=150, deadline=None)
@given(graph=small_graphs(max_n=9, max_value=7))
def test_tails_equal_enumeration_of_every_subset(graph: tuple[Neighbours, np.ndarray]) -> None:
    nb, y = graph
    upper, lower = randomisation_tails(y, nb)
    lag = nb.lag(y)
    for i, k in enumerate(nb.cardinality.tolist()):
        if k == 0:
            assert upper[i] == lower[i] == 1.0
            continue
        others = np.delete(y, i)
        sums = np.array([sum(c) for c in itertools.combinations(others, k)])
        assert upper[i] == pytest.approx(np.mean(sums >= lag[i]), abs=1e-12)
        assert lower[i] == pytest.approx(np.mean(sums <= lag[i]), abs=1e-12)


def test_tails_agree_with_many_permutations(city_grid: Grid) -> None:
    nb = city_grid.neighbours
    y = city_grid.counts
    upper, lower = randomisation_tails(y, nb)

    draws = 20_000
    counts = conditional_counts(y, nb, permutations=draws, seed=8, scheme="fast")

    # every cell within 4.5 binomial standard errors (thousands of cells: a 5-sigma outlier is a bug)
    for exact, simulated in ((upper, counts.n_ge / draws), (lower, counts.n_le / draws)):
        se = np.sqrt(np.maximum(exact * (1 - exact), 1 / draws) / draws)
        assert np.all(np.abs(simulated - exact) <= 4.5 * se + 1e-12)


def test_only_counts_of_moderate_range_are_supported(city_grid: Grid) -> None:
    nb = city_grid.neighbours
    y = city_grid.counts.astype(np.float64)
    assert supports_exact(y, nb)
    assert not supports_exact(y + 0.5, nb)
    assert not supports_exact(y - y.max(), nb)
    assert not supports_exact(y * 1e6, nb)
    with pytest.raises(ValueError, match="counts"):
        randomisation_tails(y + 0.5, nb)
