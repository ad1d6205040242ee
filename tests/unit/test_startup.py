"""Handler modules load with the cyclic collector paused and freeze what they loaded."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from argus.platform.startup import loading_handler

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
HANDLERS = sorted(p.stem for p in (FUNCTIONS / "argus" / "handlers").glob("*.py") if p.stem != "__init__")


def test_the_collector_is_paused_inside_and_running_after() -> None:
    assert gc.isenabled()
    with loading_handler():
        assert not gc.isenabled()
        loaded = [object()]
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    assert loaded


def test_a_failing_import_leaves_the_collector_running() -> None:
    with pytest.raises(ImportError), loading_handler():
        import argus.no_such_module  # type: ignore[import-not-found]  # noqa: F401
    assert gc.isenabled()


def test_every_handler_module_loads_this_way() -> None:
    assert len(HANDLERS) >= 7
    probe = (
        "import gc, importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    before = gc.get_freeze_count()\n"
        "    importlib.import_module('argus.handlers.' + name)\n"
        "    assert gc.isenabled(), name\n"
        "    assert gc.get_freeze_count() > before, name\n"
        "print('ok')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(FUNCTIONS), "AWS_DEFAULT_REGION": "eu-west-2"}
    completed = subprocess.run(
        [sys.executable, "-c", probe, *HANDLERS], env=env, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip() == "ok"
