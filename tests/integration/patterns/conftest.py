"""Patterns integration tests: the job against moto (fixtures of tests/integration/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from argus.local import moto_patches
from argus.platform import clock
from moto.dynamodb.models import DynamoDBBackend


@pytest.fixture(scope="module", autouse=True)
def transactions_as_on_dynamodb() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DynamoDBBackend, "transact_write_items", moto_patches.transact_write_items)
        yield


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[clock.FixedClock]:
    fixed = clock.FixedClock(datetime(2026, 3, 2, 18, 30, tzinfo=UTC))
    with clock.use_clock(fixed):
        yield fixed
