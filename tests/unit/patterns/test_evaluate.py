"""PAI and PEI on hand-computed examples, with unequal cell areas against brute force, and on the
synthetic city."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from argus.patterns.stats import build_cube, evaluate_split, flag_cells, ring1_neighbours, score_forecast
from argus.patterns.stats.synthetic import Incidents
from hypothesis import given, settings
from hypothesis import strategies as st


def test_hand_computed_scores() -> None:
    # 100 equal cells; the forecast ranks cells 0..99 in order; 5% of the area is 5 cells
    ranking = np.arange(100, 0, -1)
    test = np.zeros(100)
    test[[0, 1, 2]] = [4, 3, 0]  # 7 incidents in the flagged cells 0..4
    test[[50, 60, 70]] = [10, 2, 1]  # 13 elsewhere; N = 20
    (one, five) = score_forecast(ranking, test)

    assert (one.cells, one.captured) == (1, 4)
    assert one.pai == pytest.approx((4 / 20) / 0.01)
    assert one.pei == pytest.approx(4 / 10)  # the best single cell holds 10
    assert (five.cells, five.captured) == (5, 7)
    assert five.hit_rate == pytest.approx(7 / 20)
    assert five.pai == pytest.approx((7 / 20) / 0.05)
    assert five.pei == pytest.approx(7 / 20)  # best 5 cells: 10 + 4 + 3 + 2 + 1
    assert (one.best, five.best) == (10, 20)


def test_the_area_is_every_cell_given_empty_ones_included() -> None:
    # 1,000 cells of the study area, incidents in the first 100 only: A is all 1,000
    ranking = np.arange(1000, 0, -1)
    test = np.zeros(1000)
    test[:100] = 1
    one = score_forecast(ranking, test, coverages=[0.01])[0]
    assert one.cells == 10 and one.pai == pytest.approx((10 / 100) / 0.01)


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(0, 6), min_size=3, max_size=9),
    spread=st.floats(0.0, 0.3),
    seed=st.integers(0, 1000),
)
def test_pei_with_unequal_areas_is_against_the_best_set_of_the_same_area(
    counts: list[int], spread: float, seed: int
) -> None:
    """n* is the most incidents any set of cells of total area at most the flagged area holds: checked
    against every subset."""
    rng = np.random.default_rng(seed)
    test = np.array(counts, dtype=np.float64)
    areas = 1.0 + spread * rng.random(test.size)
    ranking = rng.random(test.size)
    for score in score_forecast(ranking, test, areas=areas, coverages=[0.2, 0.5]):
        budget = score.area_share * areas.sum()
        best = max(
            sum(test[list(subset)])
            for k in range(test.size + 1)
            for subset in itertools.combinations(range(test.size), k)
            if sum(areas[list(subset)]) <= budget * (1 + 1e-12)
        )
        assert score.best == best
        if best > 0:
            assert score.pei == pytest.approx(score.captured / best)
            assert 0 <= score.pei <= 1


def test_a_perfect_forecast_scores_one() -> None:
    rng = np.random.default_rng(2)
    test = rng.poisson(3.0, 400).astype(np.float64)
    for score in score_forecast(test, test):
        assert score.pei == pytest.approx(1.0)


def test_flagging_follows_area() -> None:
    areas = np.array([5.0, 1.0, 1.0, 1.0, 2.0])
    ranking = np.array([0.0, 3.0, 3.0, 2.0, 9.0])  # ties broken by cell order
    assert flag_cells(ranking, areas, 0.2).tolist() == [4]  # 2 of 10
    assert flag_cells(ranking, areas, 0.35).tolist() == [4, 1, 2]
    with pytest.raises(ValueError, match="coverage"):
        flag_cells(ranking, areas, 0.0)


def test_no_test_incidents_gives_nan() -> None:
    score = score_forecast(np.arange(10.0), np.zeros(10), coverages=[0.1])[0]
    assert math.isnan(score.pai) and math.isnan(score.pei)


def test_hotspots_of_earlier_weeks_forecast_later_ones(city: Incidents) -> None:
    cube = build_cube(city.lat, city.lng, city.day)
    by_counts = evaluate_split(cube.counts, 40)
    by_gistar = evaluate_split(cube.counts, 40, neighbours=ring1_neighbours(cube.cells), method="gistar")

    for scores in (by_counts, by_gistar):
        one, five = scores
        assert one.area_share == pytest.approx(0.01, abs=0.001)
        assert five.area_share == pytest.approx(0.05, abs=0.001)
        # the planted hotspots hold most of the concentration: far better than chance (PAI 1)
        assert one.pai > 4 and five.pai > 2
        assert 0 < one.pei <= 1 and 0 < five.pei <= 1
    with pytest.raises(ValueError, match="neighbour"):
        evaluate_split(cube.counts, 40, method="gistar")
    with pytest.raises(ValueError, match="split"):
        evaluate_split(cube.counts, 52)
