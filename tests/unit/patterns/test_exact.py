"""Exact randomisation tails (total and conditional) against enumeration of every subset, and against
Monte Carlo; and why decisions use the total null."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from argus.patterns.stats import (
    Neighbours,
    conditional_counts,
    gi_star_z,
    hotspots,
    randomisation_tails,
    supports_exact,
    total_randomisation_tails,
)
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


@settings(max_examples=150, deadline=None)
@given(graph=small_graphs(max_n=9, max_value=7))
def test_total_tails_equal_enumeration_of_every_subset(graph: tuple[Neighbours, np.ndarray]) -> None:
    nb, y = graph
    upper, lower = total_randomisation_tails(y, nb)
    star = nb.lag(y) + y
    for i, k in enumerate(nb.cardinality.tolist()):
        sums = np.array([sum(c) for c in itertools.combinations(y, k + 1)])
        assert upper[i] == pytest.approx(np.mean(sums >= star[i]), abs=1e-12)
        assert lower[i] == pytest.approx(np.mean(sums <= star[i]), abs=1e-12)


def test_total_null_is_the_null_of_z(city_grid: Grid) -> None:
    """Gi*'s z is (G - mean) / sd of the total-randomisation distribution: the mean and variance of that
    exact distribution (from the subset counts) give z back."""
    from argus.patterns.stats.exact import subset_sums

    nb, y = city_grid.neighbours, city_grid.counts.astype(np.int64)
    weight = nb.cardinality + 1
    length = int(weight.max()) * int(y.max()) + 1
    e = subset_sums(y, int(weight.max()), length)
    support = np.arange(length)
    for w in np.unique(weight).tolist():
        pmf = e[w] / e[w].sum()
        mean = pmf @ support
        sd = np.sqrt(pmf @ (support - mean) ** 2)
        cells = np.flatnonzero(weight == w)[:50]
        star = nb.lag(y)[cells] + y[cells]
        np.testing.assert_allclose((star - mean) / sd, gi_star_z(y, nb)[cells], rtol=1e-8, atol=1e-8)


def test_a_tight_cluster_is_seen_by_the_total_null_only() -> None:
    """Conditional randomisation keeps the cell's own count, so the centre of a tight cluster (15 incidents,
    three adjacent cells with 6, the usual ~1 elsewhere) has a neighbour sum one of the few large values
    explains: esda's null does not flag it, however large its z. The total null (what decisions use)
    does."""
    import h3
    from argus.patterns.stats import ring1_neighbours

    centre = h3.latlng_to_cell(51.5, -0.12, 9)
    cells = np.array(sorted(h3.str_to_int(c) for c in h3.grid_disk(centre, 12)), dtype=np.uint64)
    nb = ring1_neighbours(cells)
    rng = np.random.default_rng(5)
    y = rng.poisson(1.0, nb.n)
    spike = int(np.searchsorted(cells, h3.str_to_int(centre)))
    y[spike] = 15
    adjacent = [int(np.searchsorted(cells, h3.str_to_int(c))) for c in sorted(h3.grid_ring(centre, 1))[:3]]
    y[adjacent] = 6
    total = hotspots(y, nb, permutations=0, p_method="exact")
    conditional = hotspots(y, nb, permutations=0, p_method="exact", null="conditional")
    assert total.z[spike] > 5 and conditional.z[spike] == total.z[spike]
    assert total.hot[spike] and total.p_value[spike] < 1e-5
    assert not conditional.hot[spike] and conditional.p_value[spike] > 50 * total.p_value[spike]


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
    for tails in (randomisation_tails, total_randomisation_tails):
        with pytest.raises(ValueError, match="counts"):
            tails(y + 0.5, nb)
