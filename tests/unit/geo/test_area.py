"""ensure_within: blocks and patrol zones inside their watch group's boundary."""

from __future__ import annotations

import pytest
from argus.geo import CONTAINMENT_TOLERANCE_DEG, SyntheticCity, ensure_within, parse_area
from argus.platform.errors import BadUserInput

from tests.unit.geo.shapes import polygon, square

GROUP = parse_area(polygon(square(-0.1300, 51.5000, 0.01)))


def test_an_area_inside_is_within() -> None:
    ensure_within(parse_area(polygon(square(-0.1290, 51.5010, 0.002))), GROUP, "block")


def test_an_area_sharing_edges_is_within() -> None:
    # The block is the group's south-west corner: two of its edges lie on the group's boundary
    ensure_within(parse_area(polygon(square(-0.1300, 51.5000, 0.005))), GROUP, "block")
    ensure_within(GROUP, GROUP, "block")


def test_a_vertex_snapped_to_a_sloping_edge_is_within_after_rounding() -> None:
    # Given a triangular group and a block whose vertex sits on the hypotenuse before rounding
    group = parse_area(polygon([[0, 0], [0.03, 0], [0, 0.07], [0, 0]]))
    t = 0.3712345678
    on_edge = [0.03 * (1 - t), 0.07 * t]
    block = parse_area(polygon([[0, 0], [0.01, 0], on_edge, [0, 0.01], [0, 0]]))
    # Then rounding the vertex to 7 decimals does not push it out of bounds
    ensure_within(block, group, "patrol zone")


def test_an_area_sticking_out_is_refused_with_how_much() -> None:
    # Given a 100 m x 100 m square half outside the group's east edge
    sticking_out = parse_area(polygon(square(-0.1205, 51.5040, 0.001)))
    with pytest.raises(BadUserInput) as caught:
        ensure_within(sticking_out, GROUP, "patrol zone")
    details = caught.value.details
    assert details["reason"] == "outside_boundary"
    assert details["what"] == "patrol zone"
    assert details["outsideAreaM2"] == pytest.approx(sticking_out.area_m2 / 2, rel=0.01)
    assert "patrol zone" in caught.value.message


def test_beyond_the_tolerance_is_refused() -> None:
    poke = 10 * CONTAINMENT_TOLERANCE_DEG
    block = parse_area(
        polygon([[-0.1300, 51.5000], [-0.1290 + 0.0, 51.5000], [-0.1295, 51.5100 + poke], [-0.1300, 51.5000]])
    )
    with pytest.raises(BadUserInput):
        ensure_within(block, GROUP, "block")


def test_an_area_in_another_place_is_refused() -> None:
    with pytest.raises(BadUserInput) as caught:
        ensure_within(parse_area(polygon(square(2.35, 48.85, 0.001))), GROUP, "block")
    assert caught.value.details["outsideAreaM2"] > 0


def test_every_synthetic_block_is_within_its_group(small_city: SyntheticCity) -> None:
    for group in small_city.groups:
        for block in group.blocks:
            ensure_within(block.area, group.boundary, "block")


def test_covers_counts_the_boundary() -> None:
    assert GROUP.covers(-0.1300, 51.5000)  # a vertex
    assert GROUP.covers(-0.1250, 51.5000)  # on an edge
    assert GROUP.covers(-0.1250, 51.5050)  # inside
    assert not GROUP.covers(-0.1250, 51.4999)  # outside
