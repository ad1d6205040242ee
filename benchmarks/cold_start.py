"""Benchmark 1: cold start of the GraphQL Lambda against a boto3 baseline.

Each sample is a fresh interpreter (same venv). The handler child imports ``argus.handlers.graphql``
and answers one authenticated ``{ organisation { id name } }`` through Mangum: the RS256 token is
verified against the JWKS fetched over HTTP, the organisation is read from DynamoDB (moto server).
The baseline child imports boto3 and creates one DynamoDB client for the same endpoint. A third
child, the "floor", imports the handler's third-party packages and creates the DynamoDB client
with no argus code (an explanation, not a goal).

Wall time = from just before the parent spawns the child to the child's answer, both read from the
system-wide monotonic clock (``time.perf_counter``), so it includes process creation and
interpreter start-up. Peak RSS is the child's own ``ru_maxrss`` when it has answered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import ORG_ID, TABLE_NAME, http_api_event, median, paired_ratio, spread

HERE = Path(__file__).resolve().parent
QUERY = "{ organisation { id name slug } }"
ORG_NAME = "Bench Constabulary"


@dataclass
class Samples:
    wall_ms: list[float] = field(default_factory=list)
    startup_ms: list[float] = field(default_factory=list)  # spawn → first line of the script
    import_ms: list[float] = field(default_factory=list)  # first line → module imported
    work_ms: list[float] = field(default_factory=list)  # imported → answered
    rss_mib: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class ColdStartResult:
    handler: Samples
    baseline: Samples
    floor: Samples
    runs: int

    @property
    def ratio(self) -> float:
        return median(self.handler.wall_ms) / median(self.baseline.wall_ms)

    @property
    def paired_ratio(self) -> float:
        return paired_ratio(self.handler.wall_ms, self.baseline.wall_ms)

    @property
    def floor_ratio(self) -> float:
        return median(self.floor.wall_ms) / median(self.baseline.wall_ms)


def seed_table(endpoint_url: str) -> None:
    """Create the table and the caller's organisation (through the organisations service)."""
    import boto3
    from argus.organisations import service
    from argus.platform.auth.principal import Principal, Role
    from argus.platform.table import create_table_request

    client = boto3.client("dynamodb", endpoint_url=endpoint_url)
    client.create_table(**create_table_request(TABLE_NAME))  # type: ignore[arg-type]
    admin = Principal(sub="bench-admin", org_id=ORG_ID, roles=frozenset({Role.ADMIN}))
    service.create_organisation(admin, {"name": ORG_NAME, "slug": ORG_ID})


def _spawn(script: str, env: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(HERE / script)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=str(HERE.parent),
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{script} failed ({completed.returncode}):\n{completed.stderr[-4000:]}")
    report: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    report["started"] = started
    return report


def _record(samples: Samples, report: dict[str, Any]) -> None:
    samples.wall_ms.append((report["answered"] - report["started"]) * 1000)
    samples.startup_ms.append((report["top"] - report["started"]) * 1000)
    samples.import_ms.append((report["imported"] - report["top"]) * 1000)
    samples.work_ms.append((report["answered"] - report["imported"]) * 1000)
    samples.rss_mib.append(report["maxrss_kib"] / 1024)


def _check_answer(report: dict[str, Any]) -> None:
    """The query must really have been verified and read from DynamoDB."""
    response = report["response"]
    body = json.loads(response["body"])
    expected = {"organisation": {"id": ORG_ID, "name": ORG_NAME, "slug": ORG_ID}}
    if response.get("statusCode") != 200 or body.get("errors") or body.get("data") != expected:
        raise RuntimeError(f"the handler did not answer the query: {response}")


def run(*, runs: int, base_env: dict[str, str], token: str, log: Any = print) -> ColdStartResult:
    env = {**os.environ, **base_env}
    handler_env = {**env, "ARGUS_BENCH_EVENT": json.dumps(http_api_event(QUERY, token=token))}
    for child_env in (env, handler_env):
        child_env.pop("PYTHONPROFILEIMPORTTIME", None)  # it would slow the children down
    handler, baseline, floor = Samples(), Samples(), Samples()
    # One discarded warm-up of each (file cache, moto's first request).
    _check_answer(_spawn("cold_handler.py", handler_env))
    _spawn("cold_baseline.py", env)
    _spawn("cold_floor.py", env)
    for i in range(runs):
        # Rotate the order so no kind always runs right after the same other kind.
        order = [("handler", handler_env), ("baseline", env), ("floor", env)]
        order = order[i % 3 :] + order[: i % 3]
        for name, child_env in order:
            if name == "handler":
                report = _spawn("cold_handler.py", child_env)
                _check_answer(report)
                _record(handler, report)
            else:
                _record(baseline if name == "baseline" else floor, _spawn(f"cold_{name}.py", child_env))
        log(
            f"  cold start {i + 1}/{runs}: handler {handler.wall_ms[-1]:.0f} ms, "
            f"baseline {baseline.wall_ms[-1]:.0f} ms, floor {floor.wall_ms[-1]:.0f} ms"
        )
    return ColdStartResult(handler=handler, baseline=baseline, floor=floor, runs=runs)


def describe(samples: Samples) -> dict[str, str]:
    low, high = spread(samples.wall_ms)
    return {
        "wall": f"{median(samples.wall_ms):.0f} ms ({low:.0f}-{high:.0f})",
        "startup": f"{median(samples.startup_ms):.0f} ms",
        "import": f"{median(samples.import_ms):.0f} ms",
        "work": f"{median(samples.work_ms):.0f} ms",
        "rss": f"{median(samples.rss_mib):.1f} MiB (max {max(samples.rss_mib):.1f})",
    }
