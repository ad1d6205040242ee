"""Emerging hot spot categories: the rules on hand-written significance histories, hand-built count cubes
through the whole pipeline, the synthetic city's planted hot spots over three seeds, and spatially
random cubes."""

from __future__ import annotations

import numpy as np
import pytest
from argus.patterns import evaluation
from argus.patterns.stats import (
    Category,
    MannKendall,
    build_cube,
    classify,
    cube_counts,
    emerging_hotspots,
    ring1_neighbours,
)
from argus.patterns.stats.synthetic import Incidents, Profile
from h3.api import basic_int as h3

T = 20  # weeks in the hand-written histories: "90%" is 18 of them

# history: H = significant hot week, C = significant cold week, . = neither; trend: +, - or 0
CASES = [
    ("." * 19 + "H", "0", Category.NEW_HOT),
    ("." * 16 + "HHHH", "+", Category.CONSECUTIVE_HOT),
    ("." * 18 + "HH", "0", Category.CONSECUTIVE_HOT),
    ("H" * 20, "+", Category.INTENSIFYING_HOT),
    ("." * 2 + "H" * 18, "+", Category.INTENSIFYING_HOT),  # exactly 90%
    ("H" * 20, "0", Category.PERSISTENT_HOT),
    ("HH.HHHHHHHHHHHHHHHHH", "0", Category.PERSISTENT_HOT),
    ("C" + "H" * 19, "0", Category.PERSISTENT_HOT),  # >= 90% hot: a cold week does not matter
    ("H" * 20, "-", Category.DIMINISHING_HOT),
    ("..H..H...H.......H.H", "+", Category.SPORADIC_HOT),
    ("." * 3 + "H" * 17, "+", Category.CONSECUTIVE_HOT),  # 85%: one final run, never hot before
    ("H" + "." * 3 + "H" * 16, "+", Category.SPORADIC_HOT),  # 85%, not one run
    ("CC......HH.........H", "0", Category.OSCILLATING_HOT),
    ("C" * 10 + "." * 9 + "H", "+", Category.OSCILLATING_HOT),  # a cold past wins over "new"
    ("C" * 5 + "." * 12 + "HHH", "+", Category.OSCILLATING_HOT),
    ("H" * 19 + ".", "0", Category.HISTORICAL_HOT),
    ("H" * 18 + "..", "-", Category.HISTORICAL_HOT),
    ("." * 19 + "C", "0", Category.NEW_COLD),
    ("." * 15 + "CCCCC", "-", Category.CONSECUTIVE_COLD),
    ("C" * 20, "-", Category.INTENSIFYING_COLD),
    ("C" * 20, "0", Category.PERSISTENT_COLD),
    ("C" * 20, "+", Category.DIMINISHING_COLD),
    ("C...C...C.........CC", "0", Category.SPORADIC_COLD),
    ("HHH..........C....CC", "0", Category.OSCILLATING_COLD),
    ("C" * 18 + "..", "0", Category.HISTORICAL_COLD),
    ("H" * 19 + "C", "0", Category.OSCILLATING_COLD),  # final cold wins over "historical hot"
    ("." * 20, "0", Category.NONE),
    ("...H....H.........H.", "+", Category.NONE),  # final week not hot and < 90%
    ("H" * 17 + "...", "0", Category.NONE),
]


def histories(patterns: list[str], trends: list[str]) -> tuple[np.ndarray, np.ndarray, MannKendall]:
    hot = np.array([[c == "H" for c in p] for p in patterns])
    cold = np.array([[c == "C" for c in p] for p in patterns])
    z = np.array([{"+": 3.0, "-": -3.0, "0": 0.5}[t] for t in trends])
    p = np.where(np.abs(z) > 1, 0.003, 0.6)
    zeros = np.zeros(len(patterns))
    return hot, cold, MannKendall(s=zeros.astype(np.int64), var_s=zeros, z=z, p=p, tau=zeros)


@pytest.mark.parametrize(("pattern", "trend", "category"), CASES, ids=[f"{c.name}:{p}" for p, _, c in CASES])
def test_history_classifies(pattern: str, trend: str, category: Category) -> None:
    hot, cold, mk = histories([pattern], [trend])
    assert classify(hot, cold, mk) == [category]


def test_every_category_is_covered_and_rows_are_independent() -> None:
    assert {c for _, _, c in CASES} == set(Category)
    hot, cold, mk = histories([p for p, _, _ in CASES], [t for _, t, _ in CASES])
    assert classify(hot, cold, mk) == [c for _, _, c in CASES]


def test_trend_significance_uses_trend_alpha() -> None:
    hot, cold, mk = histories(["H" * 20], ["+"])
    assert classify(hot, cold, mk, trend_alpha=0.001) == [Category.PERSISTENT_HOT]


def test_contradictory_flags_are_refused() -> None:
    hot, cold, mk = histories(["H" * 20], ["0"])
    with pytest.raises(ValueError, match="both"):
        classify(hot, hot, mk)
    with pytest.raises(ValueError, match="same cells"):
        classify(hot, cold[:, :5], mk)


# --- hand-built count cubes through the whole pipeline ----------------------------------------------

CENTRE = h3.latlng_to_cell(51.5, -0.12, 9)
WEEKS = 12


def patch() -> tuple[np.ndarray, dict[str, int]]:
    """A 217-cell hexagonal patch and five cluster centres, each 6 cells (~1 km) from the others."""
    cells = np.array(sorted(h3.grid_disk(CENTRE, 8)), dtype=np.uint64)
    ring = sorted(h3.grid_ring(CENTRE, 5))
    names = ["steady", "rising", "new", "recent", "quiet"]
    return cells, {name: ring[6 * k] for k, name in enumerate(names)} | {"middle": CENTRE}


def cluster(cells: np.ndarray, centre: int) -> np.ndarray:
    return np.isin(cells, np.array(list(h3.grid_disk(centre, 1)), dtype=np.uint64))


def built_cube(*names: str) -> tuple[list[Category], dict[str, int], np.ndarray]:
    """Poisson(6) background and planted clusters (a cell and its ring) named ``names``, all in the same
    cube: the categories, the row of each cluster's centre, and the cells."""
    cells, centres = patch()
    counts = np.random.default_rng(3).poisson(6.0, size=(cells.size, WEEKS))
    weekly = {
        "steady": np.full(WEEKS, 40),
        "rising": np.linspace(25, 80, WEEKS).round().astype(int),
        "new": np.array([-1] * (WEEKS - 1) + [60]),
        "recent": np.array([-1] * (WEEKS - 3) + [60] * 3),
        "quiet": np.zeros(WEEKS, dtype=int),  # a cold spot every week
    }
    for name in names:
        members = cluster(cells, centres[name])
        series = weekly[name]
        counts[members] = np.where(series >= 0, series, counts[members])  # -1: leave the background
    result = emerging_hotspots(counts, ring1_neighbours(cells))
    rows = {name: int(np.searchsorted(cells, centres[name])) for name in [*names, "middle"]}
    return result.category, rows, cells


EXPECTED_IN_CUBE = {
    "steady": Category.PERSISTENT_HOT,
    "rising": Category.INTENSIFYING_HOT,
    "new": Category.NEW_HOT,
    "recent": Category.CONSECUTIVE_HOT,
    "quiet": Category.PERSISTENT_COLD,
}


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("steady", Category.PERSISTENT_HOT),
        ("rising", Category.INTENSIFYING_HOT),
        ("new", Category.NEW_HOT),
        ("recent", Category.CONSECUTIVE_HOT),
        ("quiet", Category.PERSISTENT_COLD),
    ],
)
def test_built_cube_classifies(name: str, category: Category) -> None:
    categories, rows, _ = built_cube(name)
    assert categories[rows[name]] == category
    # and the background shows no pattern, e.g. the middle of the patch
    assert categories[rows["middle"]] == Category.NONE


def test_clusters_in_one_cube_do_not_change_each_others_category() -> None:
    """A strong new cluster must neither mask the others' final weeks nor give them a trend (with z
    standardised per week and each week tested in one round, the steady cluster came out diminishing and
    the quiet one a diminishing cold spot). Five clusters fill a third of this small patch, so the false
    discovery rate's threshold is high: background cells may show a pattern now and then, but at most
    the rate's share of them."""
    categories, rows, cells = built_cube(*EXPECTED_IN_CUBE)
    assert {name: categories[rows[name]] for name in EXPECTED_IN_CUBE} == EXPECTED_IN_CUBE
    _, centres = patch()
    near = set().union(*(h3.grid_disk(centres[name], 2) for name in EXPECTED_IN_CUBE))
    background = [i for i, c in enumerate(cells.tolist()) if c not in near]
    with_pattern = sum(categories[i] is not Category.NONE for i in background)
    assert with_pattern <= 0.05 * len(background), with_pattern


def test_cube_counts_bins_points() -> None:
    counts = cube_counts(np.array([0, 0, 2, 1, -1, 2]), np.array([0, 0, 3, 1, 2, 9]), n_cells=3, steps=4)
    assert counts.tolist() == [[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]


def test_build_cube_counts_every_point(city: Incidents) -> None:
    cube = build_cube(city.lat, city.lng, city.day)
    assert cube.counts.shape == (cube.cells.size, 52) and cube.counts.sum() == len(city)


@pytest.fixture(scope="module")
def planted() -> evaluation.PlantedCheck:
    return evaluation.planted_categories(seeds=(0, 1, 2))


@pytest.mark.parametrize("profile", list(evaluation.EXPECTED))
def test_each_planted_kind_gets_its_category(planted: evaluation.PlantedCheck, profile: Profile) -> None:
    """Two planted hot spots of each kind per city, three seeds: at least 5 of the 6 centre cells get
    the category the kind was planted to show (measured: 6 of 6 for every kind)."""
    found = planted.found[profile]
    assert len(found) == 6
    assert planted.hits(profile) >= 5, (profile, found)


def test_spatially_random_cubes_show_no_pattern() -> None:
    """60 spatially random cubes over the same study area: at least 95 % show nothing but "no pattern"
    (measured: 59 of 60; one new hot spot in the other)."""
    cubes = evaluation.random_cubes(cubes=60)
    assert cubes.share_without_pattern >= 0.95, cubes
