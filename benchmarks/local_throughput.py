"""Benchmark: how many requests a second the local stack (`argus dev`) serves under a read/write mix, on
this machine's cores — one request at a time, and 50 clients at once.

The mix: of every five requests, four reads (the organisation and the caller; a page of watch groups; a
page of staff) and one write (an incident report, which writes the incident, its timeline entry and its
event, then runs through the relay and the consumers in the background). Each request is authenticated
and checked for errors. Goal: at least 50 requests a second with 50 clients.

Run: ``python -m benchmarks.local_throughput`` (``make bench`` runs it). Nothing passes or fails on
time; the exit status is non-zero only when a request fails."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

GOAL_PER_SECOND = 50.0
REQUESTS = 400
READS = (
    "query { organisation { id name slug version } me { sub roles } }",
    "query { watchGroups(first: 10) { nodes { id name } } }",
    "query { staff(first: 10) { nodes { sub displayName } } }",
)
REPORT = "mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { id } }"


def measure(concurrencies: tuple[int, ...], requests: int = REQUESTS) -> list[dict[str, Any]]:
    import httpx
    from argus.local.stack import LocalStack

    with tempfile.TemporaryDirectory(prefix="argus-throughput-") as state:
        os.environ["ARGUS_LOCAL_DIR"] = state
        stack = LocalStack(port=0, moto_port=0, seed=False).start()
        most = max(concurrencies) + 10
        limits = httpx.Limits(max_connections=most, max_keepalive_connections=most)
        client = httpx.Client(timeout=120, limits=limits)
        try:
            admin = stack.token("bench", ["admin"], sub="bench-admin")
            officer = stack.token("bench", ["officer"], sub="bench-officer")

            def call(document: str, token: str, variables: dict[str, Any] | None = None) -> None:
                response = client.post(
                    stack.graphql_url,
                    json={"query": document, "variables": variables or {}},
                    headers={"authorization": f"Bearer {token}"},
                )
                answer = response.json()
                if response.status_code != 200 or answer.get("errors"):
                    raise RuntimeError(f"{response.status_code}: {answer}")

            call('mutation { createOrganisation(input: {name: "Bench", slug: "bench"}) { id } }', admin)

            def one(n: int) -> float:
                started = time.perf_counter()
                if n % 5 == 4:
                    began = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
                    report = {
                        "category": "BURGLARY",
                        "occurredFrom": began,
                        "location": {"longitude": -0.1055 + n * 1e-5, "latitude": 51.5292},
                        "description": "Shed door forced",
                    }
                    call(REPORT, officer, {"i": report})
                else:
                    call(READS[n % 3], officer)
                return time.perf_counter() - started

            for n in range(20):  # warm: JWKS, caches, connections
                one(n)
            rows = []
            for concurrency in concurrencies:
                with ThreadPoolExecutor(concurrency) as pool:
                    started = time.perf_counter()
                    latencies = sorted(pool.map(one, range(requests)))
                    elapsed = time.perf_counter() - started
                rows.append(
                    {
                        "concurrency": concurrency,
                        "per_second": requests / elapsed,
                        "median_ms": statistics.median(latencies) * 1000,
                        "p90_ms": latencies[int(0.9 * len(latencies))] * 1000,
                    }
                )
        finally:
            client.close()
            stack.stop()
    return rows


def main() -> int:
    for row in measure((1, 50)):
        concurrency = row["concurrency"]
        goal, met = "", ""
        if concurrency == 50:
            goal = f"; goal >= {GOAL_PER_SECOND:.0f}/s"
            met = " (met)" if row["per_second"] >= GOAL_PER_SECOND else " (NOT met)"
        print(
            f"local stack, read/write mix (4:1), {concurrency} client(s), {REQUESTS} requests\n"
            f"  {row['per_second']:.1f} requests/s, median {row['median_ms']:.0f} ms, "
            f"p90 {row['p90_ms']:.0f} ms{goal}{met}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
