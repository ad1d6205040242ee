"""Settings shared by every suite: no real AWS credentials, a fixed region, and the local stack's
state (signing key) kept out of the working tree."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="eu-west-2",
    AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
)
if "ARGUS_LOCAL_DIR" not in os.environ:
    _local_dir = tempfile.mkdtemp(prefix="argus-test-")
    os.environ["ARGUS_LOCAL_DIR"] = _local_dir
    atexit.register(shutil.rmtree, _local_dir, ignore_errors=True)
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Argus")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared standards and datasets beside the repository (always present in CI)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (a clone outside the workspace): standards and datasets unavailable")
    return SHARED


@pytest.fixture
def stage(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Run the rest of the test as the given stage (``ARGUS_STAGE``, and the settings read again)."""
    from argus.platform.settings import reset_settings

    def use(name: str) -> None:
        monkeypatch.setenv("ARGUS_STAGE", name)
        reset_settings()

    yield use
    monkeypatch.undo()
    reset_settings()
