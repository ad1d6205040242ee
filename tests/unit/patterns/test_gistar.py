"""Gi* z-scores, hot and cold spots: the formula, planted hotspots, and what BH promises on random data."""

from __future__ import annotations

import numpy as np
import pytest
from argus.patterns import evaluation
from argus.patterns.stats import Neighbours, gi_star_z, hotspots, locate, points_to_cells
from argus.patterns.stats.gistar import unmasked_hotspots
from argus.patterns.stats.synthetic import Incidents, spatially_random
from h3.api import basic_int as h3
from hypothesis import given, settings

from tests.unit.patterns.conftest import Grid, grid_of
from tests.unit.patterns.strategies import small_graphs

ALPHA = 0.05


def dense_gi_star(y: np.ndarray, nb: Neighbours) -> np.ndarray:
    """Getis & Ord (1995) Gi* with a dense binary matrix including the diagonal."""
    n = nb.n
    w = np.eye(n)
    w[nb.row_ids, nb.indices] = 1.0
    mean = y.mean()
    s = np.sqrt((y**2).mean() - mean**2)
    wi = w.sum(axis=1)
    return (w @ y - wi * mean) / (s * np.sqrt((n * (w**2).sum(axis=1) - wi**2) / (n - 1)))


@settings(max_examples=150, deadline=None)
@given(graph=small_graphs(max_n=12, max_value=20))
def test_z_equals_the_dense_formula(graph: tuple[Neighbours, np.ndarray]) -> None:
    nb, y = graph
    if np.all(y == y[0]) or np.any(nb.cardinality == nb.n - 1):
        assert np.all(np.isfinite(gi_star_z(y, nb)))
        return
    np.testing.assert_allclose(gi_star_z(y, nb), dense_gi_star(y, nb), rtol=1e-10, atol=1e-12)


def test_z_of_a_city_and_of_many_weeks(city_grid: Grid) -> None:
    nb, y = city_grid.neighbours, city_grid.counts.astype(np.float64)
    z = gi_star_z(y, nb)
    sample = np.arange(0, nb.n, 11)
    # the dense matrix of all 4,000 cells is big: check the formula on every 11th cell
    lag = nb.lag(y) + y
    w = nb.cardinality + 1.0
    s = y.std()
    expected = (lag - w * y.mean()) / (s * np.sqrt((nb.n * w - w**2) / (nb.n - 1)))
    np.testing.assert_allclose(z[sample], expected[sample], rtol=1e-12)
    weeks = gi_star_z(np.column_stack([y, 3 * y + 1]), nb)
    np.testing.assert_allclose(weeks[:, 0], z, rtol=1e-12)
    np.testing.assert_allclose(weeks[:, 1], z, rtol=1e-9)  # z is invariant to y -> a·y + b


def test_constant_values_have_no_hotspots(city_grid: Grid) -> None:
    result = hotspots(np.full(city_grid.neighbours.n, 3.0), city_grid.neighbours, seed=1)
    assert np.all(result.z == 0)
    assert not result.significant.any()


def test_planted_hotspots_are_found(city: Incidents, city_grid: Grid) -> None:
    result = hotspots(city_grid.counts, city_grid.neighbours, seed=7)

    assert result.p_method == "exact"
    steady_ones = [h for h in city.planted if h.profile not in ("emerging", "new")]  # final weeks only
    cells = city_grid.cells
    for spot in steady_ones:
        centre = np.searchsorted(cells, h3.latlng_to_cell(spot.lat, spot.lng, 9))
        assert result.hot[centre], spot
    # every hot cell is near a planted hotspot (within 4 sigma of the widest)
    centres = [h3.latlng_to_cell(h.lat, h.lng, 9) for h in city.planted]
    hot_cells = cells[result.hot]
    for cell in hot_cells.tolist():
        assert (
            min(h3.great_circle_distance(h3.cell_to_latlng(cell), h3.cell_to_latlng(c)) for c in centres)
            < 1.6
        )
    assert result.labels().count("hot") == hot_cells.size


@pytest.fixture(scope="module")
def null_runs() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """40 seeded spatially random data sets (20,000 points, ~5 per cell) on cells wholly inside the square,
    so every cell has the same expected count: (p_sim, p_value, significant) of each."""
    runs = []
    grid = grid_of(spatially_random(0), 9)
    for seed in range(40):
        incidents = spatially_random(seed)
        cell = locate(grid.cells, points_to_cells(incidents.lat, incidents.lng, 9))
        counts = np.bincount(cell[cell >= 0], minlength=grid.cells.size)
        result = hotspots(counts, grid.neighbours, seed=seed, alpha=ALPHA)
        runs.append((result.p_sim, result.p_value, result.significant))
    return runs


def test_random_data_rarely_has_any_discovery(
    null_runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> None:
    """Every null is true here, so BH's false discovery rate is P(any discovery) <= alpha (exact for
    independent tests, and for positively dependent ones such as overlapping Gi* windows). Allow two
    binomial standard errors of 40 runs on top."""
    runs = len(null_runs)
    with_discovery = sum(bool(significant.any()) for _, _, significant in null_runs)
    assert with_discovery / runs <= ALPHA + 2 * np.sqrt(ALPHA * (1 - ALPHA) / runs)


def test_why_fdr_and_why_not_p_sim(null_runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
    """Without a correction nearly every random map shows "hotspots"; and esda's directed p_sim is about
    twice too small (it picks the tail after seeing the data), so feeding it to BH would double the rate.
    The two-sided p-value used for decisions is valid (its null rate is at most alpha)."""
    p_sim = np.concatenate([run[0] for run in null_runs])
    p_value = np.concatenate([run[1] for run in null_runs])
    assert sum(bool((run[1] <= ALPHA).any()) for run in null_runs) >= 0.9 * len(null_runs)
    assert 1.6 * ALPHA < np.mean(p_sim <= ALPHA) < 2.4 * ALPHA
    assert np.mean(p_value <= ALPHA) <= ALPHA * 1.05


def test_p_method_follows_the_data(city_grid: Grid) -> None:
    nb = city_grid.neighbours
    rates = city_grid.counts / 7.0
    assert hotspots(rates, nb, seed=1, permutations=99).p_method == "permutation"
    normal = hotspots(rates, nb, permutations=0)
    assert normal.p_method == "normal" and np.isnan(normal.p_sim).all()
    with pytest.raises(ValueError, match="counts"):
        hotspots(rates, nb, seed=1, p_method="exact")
    with pytest.raises(ValueError, match="alpha"):
        hotspots(city_grid.counts, nb, alpha=1.0)


def test_seed_makes_p_sim_reproducible(city_grid: Grid) -> None:
    nb, y = city_grid.neighbours, city_grid.counts
    a = hotspots(y, nb, seed=3, permutations=199)
    b = hotspots(y, nb, seed=3, permutations=199)
    c = hotspots(y, nb, seed=4, permutations=199)
    np.testing.assert_array_equal(a.p_sim, b.p_sim)
    assert not np.array_equal(a.p_sim, c.p_sim)
    np.testing.assert_array_equal(a.p_value, c.p_value)  # exact p-values do not depend on draws
    unseeded = hotspots(y, nb, permutations=199)
    assert unseeded.seed is not None and a.seed == 3
    np.testing.assert_array_equal(hotspots(y, nb, permutations=199, seed=unseeded.seed).p_sim, unseeded.p_sim)


# --- a study area with its empty cells, and masking ---------------------------------------------------


def test_random_maps_over_an_irregular_area_rarely_have_any_discovery() -> None:
    """60 spatially random maps a row over an irregular study area (16 synthetic watch groups), at 1, 5
    and 30 incidents a cell and H3 resolutions 9 and 10, every whole cell analysed, empty or not, edge
    cells included: at most 5 % of the maps of any row have a discovery (measured 0-3 of 60). Analysing
    only the cells that hold incidents gave discoveries on 59 of 60 maps at 30 a cell."""
    maps = evaluation.random_maps(maps=60)
    assert [(r, per) for r, per, *_ in maps.rows] == [(9, 1), (9, 5), (9, 30), (10, 1), (10, 5), (10, 30)]
    for resolution, per, cells, cut, found in maps.rows:
        assert cells > 100 and cut > 0, (resolution, per)
        assert found <= 0.05 * maps.maps, (resolution, per, found)


def test_a_strong_cluster_does_not_mask_a_moderate_one() -> None:
    """Randomisation draws neighbourhoods from the whole map, so an extreme cluster makes a moderate
    one look ordinary; tested again without the extreme one, the moderate one is found."""
    grid = grid_of(spatially_random(0, n=20_000), 9)
    counts = np.random.default_rng(11).poisson(5.0, grid.cells.size)
    extreme, moderate = 1000, 3000
    ring = grid.neighbours.indices[grid.neighbours.indptr[moderate] : grid.neighbours.indptr[moderate + 1]]
    counts[moderate], counts[ring] = 25, 15
    far = grid.neighbours.indices[grid.neighbours.indptr[extreme] : grid.neighbours.indptr[extreme + 1]]
    counts[extreme], counts[far] = 400, 200
    one_round = hotspots(counts, grid.neighbours, permutations=0)
    unmasked = unmasked_hotspots(counts, grid.neighbours)
    assert one_round.hot[extreme] and not one_round.hot[moderate]
    assert unmasked.hot[extreme] and unmasked.hot[moderate] and unmasked.rounds >= 2
    # nothing else: every hot cell lies in or next to one of the two clusters
    planted = {extreme, moderate, *far.tolist(), *ring.tolist()}
    for cell in np.flatnonzero(unmasked.hot).tolist():
        near = grid.neighbours.indices[grid.neighbours.indptr[cell] : grid.neighbours.indptr[cell + 1]]
        assert cell in planted or planted & set(near.tolist()), cell


def test_unmasked_equals_one_round_when_nothing_is_found() -> None:
    grid = grid_of(spatially_random(3, n=20_000), 9)
    counts = grid.counts
    one_round = hotspots(counts, grid.neighbours, permutations=0)
    unmasked = unmasked_hotspots(counts, grid.neighbours)
    if not one_round.hot.any():
        assert unmasked.rounds == 1
        np.testing.assert_array_equal(unmasked.cold, one_round.cold)
        np.testing.assert_allclose(unmasked.p_value, one_round.p_value)
