"""The synthetic incidents are deterministic, inside the city and shaped as planted."""

from __future__ import annotations

import numpy as np
import pytest
from argus.patterns.stats import to_local_metres
from argus.patterns.stats.synthetic import (
    PlantedHotspot,
    city_box,
    spatially_random,
    synthetic_city,
    week_weights,
)


def test_same_seed_same_incidents() -> None:
    a, b = synthetic_city(3, n=20_000), synthetic_city(3, n=20_000)
    np.testing.assert_array_equal(a.lat, b.lat)
    np.testing.assert_array_equal(a.day, b.day)
    assert not np.array_equal(a.lat, synthetic_city(4, n=20_000).lat)


def test_incidents_stay_in_the_box_and_the_year() -> None:
    city = synthetic_city(1, n=50_000)
    south, west, north, east = city.box
    assert len(city) == 50_000
    assert np.all((city.lat >= south) & (city.lat <= north) & (city.lng >= west) & (city.lng <= east))
    assert city.day.min() >= 0 and city.day.max() < 7 * 52
    assert np.bincount(city.week, minlength=52).size == 52
    middle = (south + north) / 2
    x, y = to_local_metres(np.array([middle, north]), np.array([east, west]), origin=(middle, west))
    assert (x[0], y[1]) == (pytest.approx(20_000.0), pytest.approx(10_000.0))


def test_planted_shares_and_profiles() -> None:
    spot = PlantedHotspot(51.5, -0.12, 200.0, 0.1, "emerging")
    city = synthetic_city(2, n=30_000, size_km=10, hotspots=[spot])
    near = (np.abs(city.lat - 51.5) < 0.009) & (np.abs(city.lng + 0.12) < 0.014)  # ±1 km
    # the blob (3,000) and its share of the uniform background (27,000 / 100 km² x 4 km²)
    assert near.sum() == pytest.approx(3000 + 27_000 * 4 / 100, rel=0.1)
    assert np.all(city.week[-3000:] >= 48)
    assert week_weights("rising", 52)[-1] == pytest.approx(3 * week_weights("rising", 52)[0])
    assert week_weights("fading", 52)[0] == pytest.approx(3 * week_weights("fading", 52)[-1])
    new = week_weights("new", 52)
    assert new[-1] == 1 and not new[:-1].any()
    with pytest.raises(ValueError, match="shares"):
        synthetic_city(0, hotspots=[PlantedHotspot(51.5, -0.12, 100, 1.0)])


def test_random_incidents_are_uniform() -> None:
    data = spatially_random(0, n=40_000)
    south, west, north, east = city_box()
    assert data.planted == ()
    quadrant = (data.lat < (south + north) / 2) & (data.lng < (west + east) / 2)
    assert quadrant.mean() == pytest.approx(0.25, abs=0.01)
