"""Our Gi* against esda's ``G_Local(y, w, transform="B", star=True)`` on the same binary ring-1 weights:
libpysal ``W`` objects built from the very neighbour lists our CSR structure holds.

- z-scores equal to 1e-9 (absolute);
- ``p_sim`` with the default scheme (esda's draws for the same seed, exact tie comparisons) calls the same
  cells significant at 0.05 for at least 99% of cells;
- the ``"esda"`` scheme reproduces esda's ``p_sim`` bit for bit (esda stores it as float32).

esda compiles its numba kernels on first use (~18 s): one warm-up per session.
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from argus.patterns.stats import (
    Neighbours,
    bin_points,
    cells_in_box,
    hotspots,
    locate,
    points_to_cells,
    ring1_neighbours,
)
from argus.patterns.stats.synthetic import synthetic_city

esda = pytest.importorskip("esda")
libpysal_weights = pytest.importorskip("libpysal.weights")

PERMUTATIONS = 999
SEED = 20_160_427

Dataset = tuple[np.ndarray, Neighbours]


def esda_g_local(y: np.ndarray, nb: Neighbours, permutations: int, seed: int = SEED) -> Any:
    """esda with a fresh W per call (esda zeroes the diagonal of ``w.sparse`` in place)."""
    w = libpysal_weights.W(dict(enumerate(nb.as_lists())), silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(
            y.astype(np.float64),
            w,
            transform="B",
            star=True,
            permutations=permutations,
            seed=seed,
            n_jobs=1,
            keep_simulations=False,
        )


@pytest.fixture(scope="module")
def warm_esda() -> Callable[..., Any]:
    """Compile esda's kernels once, on a tiny grid."""
    cells = cells_in_box(51.50, -0.13, 51.51, -0.11, 9)
    nb = ring1_neighbours(cells)
    esda_g_local(np.arange(nb.n, dtype=np.float64) % 3, nb, 9)
    return esda_g_local


@pytest.fixture(scope="module")
def city() -> Dataset:
    """The synthetic city at H3 resolution 9 on the cells wholly inside it (~4,000 cells)."""
    incidents = synthetic_city(0)
    cells = cells_in_box(*incidents.box, 9)
    position = locate(cells, points_to_cells(incidents.lat, incidents.lng, 9))
    return np.bincount(position[position >= 0], minlength=cells.size), ring1_neighbours(cells)


def chicago(shared_dir: Path, resolution: int) -> Dataset:
    """1,000 Chicago incidents of 2016 on the non-empty cells (sparse: many ties, islands)."""
    path = shared_dir / "datasets" / "chicago-2016-extract" / "example.csv"
    lat, lng = [], []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Latitude"].strip() and row["Longitude"].strip():
                lat.append(float(row["Latitude"]))
                lng.append(float(row["Longitude"]))
    binned = bin_points(lat, lng, resolution)
    return binned.counts, ring1_neighbours(binned.cells)


@pytest.fixture(scope="module", params=["city", "chicago-r8", "chicago-r9"])
def dataset(request: pytest.FixtureRequest) -> Dataset:
    if request.param == "city":
        data: Dataset = request.getfixturevalue("city")
        return data
    return chicago(request.getfixturevalue("shared_dir"), int(request.param[-1]))


def test_z_scores_equal_esda(dataset: Dataset, warm_esda: Callable[..., Any]) -> None:
    y, nb = dataset
    ours = hotspots(y, nb, permutations=0)
    theirs = warm_esda(y, nb, 0)
    np.testing.assert_allclose(ours.z, theirs.Zs, rtol=0, atol=1e-9)


def test_p_sim_agrees_on_significance(dataset: Dataset, warm_esda: Callable[..., Any]) -> None:
    y, nb = dataset
    ours = hotspots(y, nb, permutations=PERMUTATIONS, seed=SEED)
    theirs = warm_esda(y, nb, PERMUTATIONS)
    agreement = np.mean((ours.p_sim <= 0.05) == (theirs.p_sim <= 0.05))
    assert agreement >= 0.99, f"agreement {agreement:.4f}"


def test_esda_scheme_reproduces_p_sim_bit_for_bit(dataset: Dataset, warm_esda: Callable[..., Any]) -> None:
    y, nb = dataset
    ours = hotspots(y, nb, permutations=PERMUTATIONS, seed=SEED, scheme="esda")
    theirs = warm_esda(y, nb, PERMUTATIONS)
    assert theirs.p_sim.dtype == np.float32
    np.testing.assert_array_equal(ours.p_sim.astype(np.float32), theirs.p_sim)
    assert ours.p_sim.astype(np.float32).tobytes() == theirs.p_sim.tobytes()


def test_esda_scheme_holds_for_other_seeds(city: Dataset, warm_esda: Callable[..., Any]) -> None:
    y, nb = city
    for seed in (1, 77, 2**31 + 5):
        ours = hotspots(y, nb, permutations=199, seed=seed, scheme="esda")
        np.testing.assert_array_equal(ours.p_sim.astype(np.float32), warm_esda(y, nb, 199, seed).p_sim)
