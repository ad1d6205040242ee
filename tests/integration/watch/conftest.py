"""Watch domain integration tests: the services against moto, called as residents, members, captains,
officers and callers of another organisation (fixtures of tests/integration/conftest.py apply)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from argus.platform import clock


@pytest.fixture(scope="module", autouse=True)
def moto_as_in_the_local_stack(moto_as_in_the_local_stack: None) -> None:
    """Every test here runs on the local stack's moto (tests/integration/conftest.py)."""


@pytest.fixture
def fixed_clock() -> Iterator[clock.FixedClock]:
    """The services' clock, standing still at a known moment until advanced."""
    fixed = clock.FixedClock(datetime(2026, 3, 2, 18, 30, tzinfo=UTC))
    with clock.use_clock(fixed):
        yield fixed
