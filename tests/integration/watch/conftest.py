"""Watch domain integration tests: the services against moto, called as residents, members, captains,
officers and callers of another organisation (fixtures of tests/integration/conftest.py apply)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from argus.local import moto_patches
from argus.platform import clock
from moto.dynamodb.models import DynamoDBBackend


@pytest.fixture(scope="module", autouse=True)
def transactions_as_on_dynamodb() -> Iterator[None]:
    """moto 5.2.5 deep-copies the whole table before every transaction (to roll back a failed one), so
    each transaction costs in proportion to the table and imports of hundreds of households take
    seconds. The local stack's replacement (argus.local.moto_patches) checks every condition first and
    writes nothing unless all hold, as DynamoDB does; these tests use it too, and only these."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DynamoDBBackend, "transact_write_items", moto_patches.transact_write_items)
        yield


@pytest.fixture
def fixed_clock() -> Iterator[clock.FixedClock]:
    """The services' clock, standing still at a known moment until advanced."""
    fixed = clock.FixedClock(datetime(2026, 3, 2, 18, 30, tzinfo=UTC))
    with clock.use_clock(fixed):
        yield fixed
