"""Synthetic but realistic watch-group geography for tests, benchmarks and the local stack's demo data.

A city is a jittered lattice of points: every lattice cell is a block (an irregular quadrilateral), and each
watch group is a rectangle of blocks whose boundary walks the same lattice points. So groups tile the city
without overlapping, neighbouring groups share their edges exactly, every block lies within its group, and
everything is deterministic for a seed. Every polygon goes through ``parse_area``, so it is valid and CCW.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from argus.geo.area import Area
from argus.geo.geojson import COORDINATE_DECIMALS, parse_area

LONDON = (-0.1276, 51.5072)
_METRES_PER_DEGREE_LAT = 111_320.0
_JITTER = 0.25  # of the lattice spacing: keeps every quadrilateral simple (corners stay in disjoint boxes)


@dataclass(frozen=True)
class NamedArea:
    """A block (or any named area) with a stable id."""

    id: str
    name: str
    area: Area

    @property
    def geojson(self) -> dict[str, Any]:
        return self.area.geojson


@dataclass(frozen=True)
class GroupLayout:
    """One watch group's boundary and the blocks inside it."""

    id: str
    name: str
    boundary: Area
    blocks: tuple[NamedArea, ...]


@dataclass(frozen=True)
class SyntheticCity:
    """Watch groups tiling a city; ``bbox`` is (west, south, east, north) of all of them."""

    groups: tuple[GroupLayout, ...]
    bbox: tuple[float, float, float, float]

    def group_areas(self) -> list[tuple[str, Area]]:
        return [(group.id, group.boundary) for group in self.groups]

    def block_areas(self) -> list[tuple[str, str, Area]]:
        """``(block_id, group_id, area)`` for every block."""
        return [(block.id, group.id, block.area) for group in self.groups for block in group.blocks]


def synthetic_city(
    seed: int,
    groups: int = 500,
    blocks_per_group: int = 12,
    origin: tuple[float, float] = LONDON,
    *,
    block_size_m: tuple[float, float] = (250.0, 300.0),
) -> SyntheticCity:
    """``groups`` watch groups, each of ``blocks_per_group`` blocks, centred on ``origin`` (lon, lat).

    Groups are laid out on a near-square grid; each block is roughly ``block_size_m`` (east-west,
    north-south) before jitter. Raises ValueError for non-positive counts.
    """
    if groups < 1 or blocks_per_group < 1:
        raise ValueError("groups and blocks_per_group must be positive")
    bu, bv = _near_square_factors(blocks_per_group)
    gx = math.ceil(math.sqrt(groups))
    gy = math.ceil(groups / gx)
    lattice = _lattice(seed, gx * bu + 1, gy * bv + 1, origin, block_size_m)
    layouts: list[GroupLayout] = []
    for n in range(groups):
        gi, gj = n % gx, n // gx
        group_id = f"g{n + 1:04d}"
        blocks = tuple(
            NamedArea(
                id=f"{group_id}-b{k + 1:02d}",
                name=f"Block {k + 1}",
                area=_quad_area(lattice, gi * bu + k % bu, gj * bv + k // bu),
            )
            for k in range(bu * bv)
        )
        boundary = _ring_area(_rectangle_walk(lattice, gi * bu, gj * bv, bu, bv))
        layouts.append(GroupLayout(group_id, f"Watch group {n + 1}", boundary, blocks))
    bounds = np.array([layout.boundary.bbox for layout in layouts])
    bbox = (
        float(bounds[:, 0].min()),
        float(bounds[:, 1].min()),
        float(bounds[:, 2].max()),
        float(bounds[:, 3].max()),
    )
    return SyntheticCity(tuple(layouts), bbox)


_DEMO_STREETS = (
    "Myddelton Square",
    "Amwell Street",
    "Claremont Square",
    "Chadwell Street",
    "Lloyd Baker Street",
    "Percy Circus",
    "Wilmington Square",
    "Rosebery Avenue",
    "Exmouth Market",
    "Spa Fields",
    "Northampton Square",
    "Sadler's Wells",
)


def demo_neighbourhood() -> GroupLayout:
    """The local stack's demo: one watch group over Clerkenwell, London, with 12 named blocks.

    The blocks carry real street names of the area; their shapes are synthetic (a jittered 4 x 3 grid of
    ~150 m blocks), not surveyed. Deterministic: the same call gives the same polygons.
    """
    city = synthetic_city(
        7, groups=1, blocks_per_group=12, origin=(-0.1060, 51.5290), block_size_m=(150, 130)
    )
    group = city.groups[0]
    blocks = tuple(
        NamedArea(id=f"demo-block-{k + 1:02d}", name=name, area=block.area)
        for k, (name, block) in enumerate(zip(_DEMO_STREETS, group.blocks, strict=True))
    )
    return GroupLayout("demo-group", "Clerkenwell & Amwell Neighbourhood Watch", group.boundary, blocks)


def _near_square_factors(n: int) -> tuple[int, int]:
    """(columns, rows) with columns * rows == n, as square as possible, columns >= rows."""
    rows = max(d for d in range(1, math.isqrt(n) + 1) if n % d == 0)
    return n // rows, rows


def _lattice(
    seed: int, nx: int, ny: int, origin: tuple[float, float], block_size_m: tuple[float, float]
) -> np.ndarray:
    """(nx, ny, 2) lon/lat points: a regular grid centred on origin, each point jittered, rounded."""
    lon0, lat0 = origin
    dy = block_size_m[1] / _METRES_PER_DEGREE_LAT
    dx = block_size_m[0] / (_METRES_PER_DEGREE_LAT * math.cos(math.radians(lat0)))
    rng = np.random.default_rng(seed)
    i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    jitter = rng.uniform(-_JITTER, _JITTER, size=(nx, ny, 2))
    lon = lon0 + (i - (nx - 1) / 2 + jitter[..., 0]) * dx
    lat = lat0 + (j - (ny - 1) / 2 + jitter[..., 1]) * dy
    return np.round(np.stack([lon, lat], axis=-1), COORDINATE_DECIMALS)


def _point(lattice: np.ndarray, i: int, j: int) -> list[float]:
    return [float(lattice[i, j, 0]), float(lattice[i, j, 1])]


def _quad_area(lattice: np.ndarray, i: int, j: int) -> Area:
    corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1), (i, j)]  # counter-clockwise
    return _ring_area([_point(lattice, a, b) for a, b in corners])


def _rectangle_walk(lattice: np.ndarray, i0: int, j0: int, width: int, height: int) -> list[list[float]]:
    """The lattice points around a width x height rectangle of cells, counter-clockwise, closed."""
    i1, j1 = i0 + width, j0 + height
    steps = (
        [(i, j0) for i in range(i0, i1)]
        + [(i1, j) for j in range(j0, j1)]
        + [(i, j1) for i in range(i1, i0, -1)]
        + [(i0, j) for j in range(j1, j0, -1)]
    )
    ring = [_point(lattice, i, j) for i, j in steps]
    return [*ring, ring[0]]


def _ring_area(ring: list[list[float]]) -> Area:
    return parse_area({"type": "Polygon", "coordinates": [ring]})
