"""The GraphQL function runs with Lambda SnapStart outside dev: everything its import does is captured
in one snapshot that many environments resume from. Nothing unique may be made during the import:
no identifiers (uuid_utils' generator state would be cloned into every environment), no random draws,
no network connections (they would be dead after a restore), no AWS clients (their credentials are
the snapshot's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"

PROBE = r"""
import json, random, socket
import uuid_utils.compat

calls = {"uuid7": 0, "random": 0, "connect": 0, "client": 0}
real_uuid7 = uuid_utils.compat.uuid7
def uuid7(*args, **kwargs):
    calls["uuid7"] += 1
    return real_uuid7(*args, **kwargs)
uuid_utils.compat.uuid7 = uuid7

state = random.getstate()  # any draw from the module's generator changes it

real_connect = socket.socket.connect
def connect(self, address):
    calls["connect"] += 1
    return real_connect(self, address)
socket.socket.connect = connect

import botocore.session
real_create_client = botocore.session.Session.create_client
def create_client(self, *args, **kwargs):
    calls["client"] += 1
    return real_create_client(self, *args, **kwargs)
botocore.session.Session.create_client = create_client

import argus.handlers.graphql  # what Lambda runs before the snapshot
calls["random"] = int(random.getstate() != state)
print(json.dumps(calls))
"""


def test_importing_the_graphql_handler_creates_nothing_unique() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(FUNCTIONS),
        "ARGUS_TABLE_NAME": "argus-test",
        "AWS_DEFAULT_REGION": "eu-west-2",
    }
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True, timeout=120
    )
    calls = json.loads(completed.stdout.strip().splitlines()[-1])
    assert calls == {"uuid7": 0, "random": 0, "connect": 0, "client": 0}
