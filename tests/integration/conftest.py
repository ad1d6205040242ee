"""Integration suite: moto in process (``mock_aws``), the Argus table created from its spec."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_REPO_ROOT = Path(__file__).resolve().parents[2]
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

from argus.local import moto_patches  # noqa: E402
from moto.core.models import MockAWS  # noqa: E402

from tests.fakes.aws import ArgusAws, fresh_table, moto_environment  # noqa: E402


@pytest.fixture(scope="module")
def moto() -> Iterator[MockAWS]:
    """One in-process moto per module (client creation is the slow part)."""
    with pytest.MonkeyPatch.context() as monkeypatch, moto_environment(monkeypatch) as mock:
        yield mock


@pytest.fixture(scope="module")
def moto_as_in_the_local_stack() -> Iterator[None]:
    """DynamoDB as the local stack's moto behaves (argus.local.moto_patches): transactions all or nothing
    without copying the whole table each time, and queries without sorting the whole table first. The
    suites that write a lot (watch, incidents, patterns) use it; the others test plain moto."""
    with moto_patches.installed():
        yield


@pytest.fixture
def aws(moto: MockAWS) -> ArgusAws:
    """A fresh table (and no other AWS resources) for each test."""
    return fresh_table(moto)


@pytest.fixture(autouse=True)
def quiet_strawberry() -> Iterator[None]:
    """Strawberry logs every resolver error with its stack; the assertions here are on the responses."""
    execution_logger = logging.getLogger("strawberry.execution")
    previous = execution_logger.disabled
    execution_logger.disabled = True
    yield
    execution_logger.disabled = previous
