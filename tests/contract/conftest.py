"""Contract suite: our outputs against the official standards in ../shared/standards and against the
event catalogue in events/."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from moto.core.models import MockAWS  # noqa: E402

from tests.fakes.aws import ArgusAws, fresh_table, moto_environment  # noqa: E402

# The shared standards directory sits beside the repository root; it is never copied into the repo.
STANDARDS = REPO_ROOT / ".." / "shared" / "standards"
EVENTS_DIR = REPO_ROOT / "events"


def standard_file(*parts: str) -> Path:
    """A file of the shared standards; skips the test when the directory is not beside the repo."""
    path = STANDARDS.joinpath(*parts)
    if not STANDARDS.is_dir():
        pytest.skip(
            f"shared standards not found at {STANDARDS.resolve()} (expected beside the repository root)"
        )
    if not path.is_file():
        pytest.skip(f"shared standard file missing: {path.resolve()}")
    return path


def load_standard(*parts: str) -> Any:
    return json.loads(standard_file(*parts).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def moto() -> Iterator[MockAWS]:
    """One in-process moto per module (client creation is the slow part)."""
    with pytest.MonkeyPatch.context() as monkeypatch, moto_environment(monkeypatch) as mock:
        yield mock


@pytest.fixture
def aws(moto: MockAWS) -> ArgusAws:
    """A fresh table (and no other AWS resources) for each test."""
    return fresh_table(moto)
