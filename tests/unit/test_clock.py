"""The one clock: ``now()`` in UTC, ``iso()`` sortable, and ``use_clock`` for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from argus.platform import clock
from argus.platform.cloudevents import make_event


def test_now_is_timezone_aware_utc_and_current() -> None:
    before = datetime.now(UTC)
    moment = clock.now()
    after = datetime.now(UTC)
    assert moment.utcoffset() == timedelta(0)
    assert before <= moment <= after


def test_iso_is_utc_with_milliseconds_and_z() -> None:
    # Given a moment in another offset with microseconds
    moment = datetime(2025, 3, 14, 10, 26, 53, 589_999, tzinfo=timezone(timedelta(hours=1)))
    # Then it is rendered in UTC, truncated to milliseconds, with a Z suffix
    assert clock.iso(moment) == "2025-03-14T09:26:53.589Z"
    assert clock.iso(datetime(2025, 1, 1, tzinfo=UTC)) == "2025-01-01T00:00:00.000Z"


def test_iso_strings_sort_like_the_moments() -> None:
    moments = [datetime(2025, 1, 1, tzinfo=UTC) + timedelta(milliseconds=n * 37) for n in (5, 1, 400, 30)]
    assert sorted(clock.iso(m) for m in moments) == [clock.iso(m) for m in sorted(moments)]


def test_use_clock_replaces_the_clock_for_the_block_only() -> None:
    # Given a fixed clock
    fixed = clock.FixedClock(datetime(2025, 3, 14, 9, 0, tzinfo=UTC))
    # When the block uses it
    with clock.use_clock(fixed):
        first = clock.now()
        fixed.advance(minutes=5, seconds=1)
        second = clock.now()
        iso_inside = clock.iso()
        event = make_event(
            "org.argus.organisation.updated.v2",
            org_id="northshire",
            collection="organisations",
            subject="northshire",
            data={},
        )
    # Then time stands still until advanced, services see it, and it ends with the block
    assert first == datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
    assert second == datetime(2025, 3, 14, 9, 5, 1, tzinfo=UTC)
    assert iso_inside == "2025-03-14T09:05:01.000Z"
    assert event.get_time() == second
    assert clock.now().year >= 2025 and clock.now() != second


def test_use_clock_restores_the_clock_after_an_error() -> None:
    fixed = clock.FixedClock(datetime(2000, 1, 1, tzinfo=UTC))
    with pytest.raises(RuntimeError), clock.use_clock(fixed):
        raise RuntimeError("boom")
    assert clock.now() > datetime(2020, 1, 1, tzinfo=UTC)


def test_clocks_nest() -> None:
    outer = clock.FixedClock(datetime(2024, 1, 1, tzinfo=UTC))
    inner = clock.FixedClock(datetime(2025, 1, 1, tzinfo=UTC))
    with clock.use_clock(outer):
        with clock.use_clock(inner):
            assert clock.now() == inner.current
        assert clock.now() == outer.current
