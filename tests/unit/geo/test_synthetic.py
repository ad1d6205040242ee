"""The synthetic city and the demo neighbourhood are realistic, valid and deterministic."""

from __future__ import annotations

import itertools

import shapely
from argus.geo import SyntheticCity, demo_neighbourhood, ensure_within, synthetic_city


def test_groups_tile_without_overlapping(small_city: SyntheticCity) -> None:
    boundaries = [group.boundary.geometry for group in small_city.groups]
    assert len(boundaries) == 30
    for a, b in itertools.combinations(boundaries, 2):
        assert shapely.intersection(a, b).area < 1e-15  # at most a shared edge
    union = shapely.union_all(boundaries)
    assert abs(union.area - sum(b.area for b in boundaries)) < 1e-12


def test_blocks_tile_their_group(small_city: SyntheticCity) -> None:
    for group in small_city.groups:
        assert len(group.blocks) == 12
        blocks = [block.area.geometry for block in group.blocks]
        assert abs(sum(b.area for b in blocks) - group.boundary.geometry.area) < 1e-12
        for block in group.blocks:
            assert block.id.startswith(group.id)
            assert block.area.geometry.exterior.is_ccw


def test_sizes_are_those_of_a_city() -> None:
    city = synthetic_city(3, groups=4, blocks_per_group=6)
    assert [len(g.blocks) for g in city.groups] == [6, 6, 6, 6]
    for group in city.groups:
        assert 0.1e6 < group.boundary.area_m2 < 1.0e6  # 6 blocks of ~250 m x 300 m
    assert city.bbox[0] < -0.1276 < city.bbox[2] and city.bbox[1] < 51.5072 < city.bbox[3]


def test_deterministic_for_a_seed() -> None:
    first, again, other = (
        synthetic_city(5, groups=3),
        synthetic_city(5, groups=3),
        synthetic_city(6, groups=3),
    )
    assert [g.boundary.geojson for g in first.groups] == [g.boundary.geojson for g in again.groups]
    assert [g.boundary.geojson for g in first.groups] != [g.boundary.geojson for g in other.groups]


def test_demo_neighbourhood() -> None:
    group = demo_neighbourhood()
    assert group.name == "Clerkenwell & Amwell Neighbourhood Watch"
    assert len(group.blocks) == 12
    assert len({block.name for block in group.blocks}) == 12
    assert {block.id for block in group.blocks} == {f"demo-block-{n:02d}" for n in range(1, 13)}
    west, south, east, north = group.boundary.bbox
    assert -0.12 < west < east < -0.09 and 51.52 < south < north < 51.54  # Clerkenwell, London
    assert 0.2e6 < group.boundary.area_m2 < 0.27e6  # 12 blocks of ~150 m x 130 m
    for block in group.blocks:
        ensure_within(block.area, group.boundary, "block")
    assert demo_neighbourhood().boundary.geojson == group.boundary.geojson
