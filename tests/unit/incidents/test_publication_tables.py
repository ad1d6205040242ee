"""The published tables below staff, on their own: every group reaches the minimum, every record is in
at most one group, what is withheld is what is missing, withheld counts never show, and the release
cut-off moves once a month."""

from __future__ import annotations

from datetime import UTC, datetime

import h3
import pytest
from argus.incidents.service.publication import release_cutoff, roll_up_resolutions, tabulate
from argus.incidents.taxonomy import Category
from hypothesis import given, settings
from hypothesis import strategies as st

# Seven resolution-6 cells of London and everything under them at resolution 8: records pool and roll up.
_CENTRE = h3.latlng_to_cell(51.5292, -0.1055, 6)
_BASE = sorted(str(c) for area in h3.grid_disk(_CENTRE, 1) for c in h3.cell_to_children(area, 8))
_CATEGORIES = list(Category)

records = st.lists(
    st.tuples(st.sampled_from(_BASE[:60] + _BASE[-20:]), st.sampled_from(_CATEGORIES[:6])), max_size=400
)


@settings(max_examples=150, deadline=None)
@given(records=records, k=st.integers(min_value=1, max_value=15))
def test_every_group_reaches_the_minimum_and_every_record_is_counted_once_at_most(
    records: list[tuple[str, Category]], k: int
) -> None:
    table = tabulate("2026-01", records, min_cell_size=k, resolution=8)
    # every group reaches the minimum, and no (cell, category) is published twice
    assert all(g.count >= k for g in table.groups)
    keys = [(g.cell, g.category) for g in table.groups]
    assert len(keys) == len(set(keys))
    # a category that reaches the minimum in its resolution-8 cell is published there, exactly
    for cell, category in set(records):
        n = records.count((cell, category))
        if n >= k:
            assert (cell, category) in keys
            assert next(g.count for g in table.groups if (g.cell, g.category) == (cell, category)) == n
    # under each resolution-6 cell the published groups count every record, or all but 1 to k-1 of them
    # when that cell is withheld (withheld cells are resolution 6, each once)
    assert len(set(table.withheld)) == len(table.withheld)
    for top in {str(h3.cell_to_parent(c, 6)) for c, _ in records}:
        held = sum(1 for c, _ in records if h3.cell_to_parent(c, 6) == top)
        shown = sum(g.count for g in table.groups if h3.cell_to_parent(g.cell, 6) == top or g.cell == top)
        missing = held - shown
        assert (1 <= missing < k) if top in table.withheld else missing == 0, (top, held, shown)


def test_small_categories_join_then_roll_up_then_are_withheld() -> None:
    a = str(h3.latlng_to_cell(51.5292, -0.1055, 8))
    parent = str(h3.cell_to_parent(a, 7))
    b = next(str(c) for c in sorted(h3.cell_to_children(parent, 8)) if c != a)
    rows = (
        [(a, Category.BURGLARY)] * 12
        + [(a, Category.DRUGS)] * 6
        + [(a, Category.ROBBERY)] * 5  # A's small categories together: 11 -> one "other" group in A
        + [(b, Category.VEHICLE_CRIME)] * 9  # too few in B: up to the parent
        + [(b, Category.ROBBERY)] * 1  # B's small categories total 10 -> "other" group in B
    )
    table = tabulate("2026-01", rows, min_cell_size=10, resolution=8)
    assert {(g.cell, g.category, g.count) for g in table.groups} == {
        (a, Category.BURGLARY, 12),
        (a, None, 11),
        (b, None, 10),
    }
    lone = tabulate("2026-01", [(a, Category.ROBBERY)] * 3, min_cell_size=10, resolution=8)
    assert lone.groups == () and lone.withheld == (str(h3.cell_to_parent(a, 6)),)
    # a withheld group of 3 looks exactly like one of 1 or 9
    for n in (1, 9):
        other = tabulate("2026-01", [(a, Category.ROBBERY)] * n, min_cell_size=10, resolution=8)
        assert other == lone


@pytest.mark.parametrize(
    ("now", "delay", "cutoff"),
    [
        (datetime(2026, 3, 20, 12, tzinfo=UTC), 30, datetime(2026, 2, 1, tzinfo=UTC)),
        (datetime(2026, 3, 30, 23, 59, tzinfo=UTC), 30, datetime(2026, 2, 1, tzinfo=UTC)),
        (datetime(2026, 3, 31, tzinfo=UTC), 30, datetime(2026, 3, 1, tzinfo=UTC)),
        (datetime(2026, 3, 20, 12, tzinfo=UTC), 0, datetime(2026, 3, 1, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 365, datetime(2025, 1, 1, tzinfo=UTC)),
    ],
)
def test_the_release_cut_off_is_a_month_start_at_least_the_delay_ago(
    now: datetime, delay: int, cutoff: datetime
) -> None:
    assert release_cutoff(now, delay) == cutoff
    assert (now - cutoff).days >= delay


def test_roll_ups_go_two_resolutions_coarser() -> None:
    assert roll_up_resolutions(8) == [7, 6]
    assert roll_up_resolutions(5) == [4, 3]
