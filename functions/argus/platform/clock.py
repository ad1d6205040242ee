"""The one clock. Services ask ``now()``; tests replace the clock with ``use_clock``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return _now()


def iso(moment: datetime | None = None) -> str:
    """ISO 8601 UTC with millisecond precision and a ``Z`` suffix (sortable as a string)."""
    moment = (moment or now()).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class FixedClock:
    """A clock for tests: stands still until advanced."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@contextmanager
def use_clock(clock: Callable[[], datetime]) -> Iterator[None]:
    """Replace the clock for the duration of the block."""
    global _now
    previous, _now = _now, clock
    try:
        yield
    finally:
        _now = previous
