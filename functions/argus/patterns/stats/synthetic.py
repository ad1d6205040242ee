"""Synthetic incidents for tests and benchmarks: a square city with planted hotspots over a uniform
background, and spatially random incidents. Deterministic for a seed.

Each planted hotspot is a Gaussian blob (``sigma_m`` metres) holding ``share`` of all incidents, with a
weekly profile, each shaped to meet one of ArcGIS's emerging hot spot categories:

- ``steady``: the same every week (a persistent hot spot);
- ``rising`` / ``fading``: a linear ramp from ``RAMP[0]`` to ``RAMP[1]`` times the mean, or back
  (intensifying / diminishing: hot in at least 90 % of the weeks, the final one included, with a trend);
- ``emerging``: only the final ``EMERGING_WEEKS`` weeks (a consecutive hot spot);
- ``new``: only the final week (a new hot spot).

Why the ramp stops at half the mean: at a fifth of it (the ramp used before) a fading spot's final week
holds 17-23 incidents spread over a few hundred metres, a window sum of about 21-26 against a background
mean of 9.4 in the 300,000-incident city, which a weekly map of 4,000 cells cannot tell from chance after
the false-discovery correction (it needs p of about 1e-5): such a spot is, by ArcGIS's definitions, no
longer hot at the end — a historical hot spot, not a diminishing one. The background is uniform over the
square and over the weeks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from argus.patterns.stats.grid import EARTH_RADIUS_M, FloatArray, IntArray

Profile = Literal["steady", "rising", "fading", "emerging", "new"]
LONDON = (51.5072, -0.1276)  # lat, lng of Charing Cross
DAYS_PER_WEEK = 7
EMERGING_WEEKS = 4
RAMP = (0.5, 1.5)
_M_PER_DEG = math.pi / 180.0 * EARTH_RADIUS_M


@dataclass(frozen=True)
class PlantedHotspot:
    """A Gaussian cluster of incidents around (``lat``, ``lng``)."""

    lat: float
    lng: float
    sigma_m: float
    share: float
    profile: Profile = "steady"


@dataclass(frozen=True)
class Incidents:
    """Incident locations and times (``day`` in [0, 7·weeks), fractional) inside ``box`` =
    (south, west, north, east); ``planted`` lists the hotspots that were planted (none for random data)."""

    lat: FloatArray
    lng: FloatArray
    day: FloatArray
    box: tuple[float, float, float, float]
    weeks: int
    planted: tuple[PlantedHotspot, ...]

    @property
    def week(self) -> IntArray:
        return np.minimum((self.day // DAYS_PER_WEEK).astype(np.int64), self.weeks - 1)

    def __len__(self) -> int:
        return int(self.lat.shape[0])


def city_box(
    size_km: float = 20.0, centre: tuple[float, float] = LONDON
) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a ``size_km`` square around ``centre``."""
    half = size_km * 500.0
    dlat = half / _M_PER_DEG
    dlng = half / (_M_PER_DEG * math.cos(math.radians(centre[0])))
    return centre[0] - dlat, centre[1] - dlng, centre[0] + dlat, centre[1] + dlng


def default_hotspots(seed: int, box: tuple[float, float, float, float]) -> tuple[PlantedHotspot, ...]:
    """Ten hotspots, two of each profile (steady, rising, fading, emerging, new), at seeded places at
    least 2 km from the edge and from each other; 12.67% of the incidents in all. A steady one's central
    H3 resolution-9 cell gets roughly 10-20 incidents a week against about 1 for a background cell."""
    rng = np.random.default_rng([seed, 1])
    south, west, north, east = box
    profiles: tuple[Profile, ...] = (
        "steady",
        "steady",
        "rising",
        "rising",
        "fading",
        "fading",
        "emerging",
        "emerging",
        "new",
        "new",
    )
    shares = (0.025, 0.02, 0.02, 0.015, 0.02, 0.015, 0.005, 0.004, 0.0015, 0.0012)
    lat0 = (south + north) / 2
    places: list[tuple[float, float]] = []
    while len(places) < len(profiles):
        la = south + (north - south) * (0.1 + 0.8 * rng.random())
        lo = west + (east - west) * (0.1 + 0.8 * rng.random())
        if all(_distance_m(la, lo, a, b, lat0) > 2000 for a, b in places):
            places.append((la, lo))
    sigmas = 200.0 + 150.0 * rng.random(len(profiles))
    return tuple(
        PlantedHotspot(la, lo, float(s), share, profile)
        for (la, lo), s, share, profile in zip(places, sigmas, shares, profiles, strict=True)
    )


def synthetic_city(
    seed: int = 0,
    *,
    n: int = 300_000,
    size_km: float = 20.0,
    weeks: int = 52,
    centre: tuple[float, float] = LONDON,
    hotspots: Sequence[PlantedHotspot] | None = None,
) -> Incidents:
    """``n`` incidents over a ``size_km`` square city in ``weeks`` weeks: planted hotspots (default
    ``default_hotspots``) over a uniform background holding the rest."""
    box = city_box(size_km, centre)
    planted = tuple(hotspots) if hotspots is not None else default_hotspots(seed, box)
    if sum(h.share for h in planted) >= 1:
        raise ValueError("hotspot shares must sum to less than 1")
    rng = np.random.default_rng([seed, 2])
    sizes = [round(h.share * n) for h in planted]
    background = n - sum(sizes)
    lat, lng = _uniform(rng, box, background)
    day = _days(rng, "steady", background, weeks)
    parts_lat, parts_lng, parts_day = [lat], [lng], [day]
    for spot, size in zip(planted, sizes, strict=True):
        la, lo = _blob(rng, spot, size, box)
        parts_lat.append(la)
        parts_lng.append(lo)
        parts_day.append(_days(rng, spot.profile, size, weeks))
    return Incidents(
        np.concatenate(parts_lat), np.concatenate(parts_lng), np.concatenate(parts_day), box, weeks, planted
    )


def spatially_random(
    seed: int = 0,
    *,
    n: int = 20_000,
    size_km: float = 20.0,
    weeks: int = 52,
    centre: tuple[float, float] = LONDON,
) -> Incidents:
    """``n`` incidents uniform over the square and over the weeks (complete spatial randomness)."""
    box = city_box(size_km, centre)
    rng = np.random.default_rng([seed, 3])
    lat, lng = _uniform(rng, box, n)
    return Incidents(lat, lng, _days(rng, "steady", n, weeks), box, weeks, ())


def week_weights(profile: Profile, weeks: int) -> FloatArray:
    """Relative weight of each week under ``profile`` (sums to 1)."""
    ramp = np.linspace(*RAMP, weeks)
    shapes: dict[str, FloatArray] = {
        "steady": np.ones(weeks),
        "rising": ramp,
        "fading": ramp[::-1].copy(),
        "emerging": (np.arange(weeks) >= weeks - EMERGING_WEEKS).astype(np.float64),
        "new": (np.arange(weeks) == weeks - 1).astype(np.float64),
    }
    weights = shapes[profile]
    return weights / weights.sum()


def _days(rng: np.random.Generator, profile: Profile, size: int, weeks: int) -> FloatArray:
    week = rng.choice(weeks, size=size, p=week_weights(profile, weeks))
    return (week + rng.random(size)) * DAYS_PER_WEEK


def _uniform(
    rng: np.random.Generator, box: tuple[float, float, float, float], size: int
) -> tuple[FloatArray, FloatArray]:
    south, west, north, east = box
    return south + (north - south) * rng.random(size), west + (east - west) * rng.random(size)


def _blob(
    rng: np.random.Generator, spot: PlantedHotspot, size: int, box: tuple[float, float, float, float]
) -> tuple[FloatArray, FloatArray]:
    """Gaussian points around the spot, redrawn until all lie inside the box."""
    south, west, north, east = box
    k_lng = _M_PER_DEG * math.cos(math.radians(spot.lat))
    lat = np.empty(0)
    lng = np.empty(0)
    while lat.size < size:
        la = spot.lat + rng.normal(0.0, spot.sigma_m, size) / _M_PER_DEG
        lo = spot.lng + rng.normal(0.0, spot.sigma_m, size) / k_lng
        inside = (la >= south) & (la <= north) & (lo >= west) & (lo <= east)
        lat, lng = np.concatenate([lat, la[inside]]), np.concatenate([lng, lo[inside]])
    return lat[:size], lng[:size]


def _distance_m(lat1: float, lng1: float, lat2: float, lng2: float, lat0: float) -> float:
    dx = (lng1 - lng2) * _M_PER_DEG * math.cos(math.radians(lat0))
    return math.hypot(dx, (lat1 - lat2) * _M_PER_DEG)
