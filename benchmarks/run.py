"""Run every Argus benchmark and print a results table.

    .venv/bin/python -m benchmarks.run            # from the repository root (what `make bench` runs)
    .venv/bin/python benchmarks/run.py --help

Results are ratios against a baseline measured side by side in the same run, so they compare on
any machine; absolute milliseconds depend on the machine. Nothing here passes or fails on time:
the exit status is non-zero only when a benchmark could not run or got a wrong answer.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import sysconfig
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

if not __package__:  # `python benchmarks/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common

COLD_START_GOAL = 1.6
RSS_GOAL_MIB = 150.0
OVERHEAD_GOAL = 1.2


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def compile_bytecode() -> str:
    """Byte-compile the venv's site-packages and functions/ (Lambda ships .pyc).

    Timestamp-checked .pyc (Python's default), not ``unchecked-hash``: other people edit functions/
    while this runs, and unchecked .pyc would hide their edits from every later import."""
    site_packages = sysconfig.get_paths()["purelib"]
    started = time.perf_counter()
    functions = str(common.REPO_ROOT / "functions")
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", site_packages, functions],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    seconds = time.perf_counter() - started
    return f"compileall (timestamp .pyc) of {site_packages} and functions/ in {seconds:.1f} s"


def import_breakdown(env: dict[str, str], event: dict[str, Any], top: int) -> list[tuple[str, float]]:
    """One extra handler child under ``-X importtime``: self time summed per top-level package
    (argus's own modules together as ``argus``). Tracing inflates the numbers; use the shares."""
    child_env = {**os.environ, **env, "ARGUS_BENCH_EVENT": json.dumps(event)}
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", str(common.REPO_ROOT / "benchmarks" / "cold_handler.py")],
        env=child_env,
        capture_output=True,
        text=True,
        check=True,
        cwd=str(common.REPO_ROOT),
    )
    totals: dict[str, float] = defaultdict(float)
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line[len("import time:") :].split("|")
        package = name.strip().split(".")[0]
        totals[package] += int(self_us) / 1000
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    return [("(all imports)", sum(totals.values())), *ranked[:top]]


def verdict(value: float, goal: float) -> str:
    return "yes" if value <= goal else "NO"


def print_table(rows: list[list[str]]) -> None:
    header = ["benchmark", "ours", "baseline", "ratio", "goal", "met?"]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15, help="cold starts of each kind (alternating), >= 7")
    parser.add_argument("--rounds", type=int, default=80, help="timed requests of each kind in benchmark 2")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests of each kind in benchmark 2")
    parser.add_argument(
        "--no-compile", action="store_true", help="skip compileall (the .pyc are already there)"
    )
    parser.add_argument(
        "--import-top",
        type=int,
        default=10,
        help="packages to list in the import-time breakdown (0: skip it)",
    )
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of benchmark 2 (ours)")
    parser.add_argument("--json", type=Path, help="also write the raw samples to this file")
    args = parser.parse_args(argv)
    if args.runs < 7:
        parser.error("--runs must be at least 7")

    started = time.perf_counter()
    start_load = os.getloadavg()[0]
    notes = [
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs",
        f"load average at start {start_load:.2f}",
    ]
    if not args.no_compile:
        log("byte-compiling ...")
        notes.append(compile_bytecode())

    key = common.make_signing_key()
    log("starting the moto server and the JWKS server ...")
    with common.moto_server() as endpoint, common.JwksServer(key.jwks) as jwks:
        env = common.bench_environment(endpoint_url=endpoint, jwks_url=jwks.url)
        os.environ.update(env)  # before anything imports argus: settings are read once

        from argus.platform.auth.principal import Principal, Role

        from benchmarks import cold_start, graphql_overhead

        cold_start.seed_table(endpoint)
        officer_token = common.mint_token(key, sub="bench-officer", roles=["officer"])
        officer = Principal(sub="bench-officer", org_id=common.ORG_ID, roles=frozenset({Role.OFFICER}))

        log(f"benchmark 1: cold start, {args.runs} runs of each, alternating ...")
        cold = cold_start.run(runs=args.runs, base_env=env, token=officer_token, log=log)
        breakdown: list[tuple[str, float]] = []
        if args.import_top:
            log("import-time breakdown (one extra child with -X importtime) ...")
            breakdown = import_breakdown(
                env, common.http_api_event(cold_start.QUERY, token=officer_token), args.import_top
            )

        log(f"benchmark 2: GraphQL overhead, {args.rounds} rounds ...")
        overhead = graphql_overhead.run(
            rounds=args.rounds, warmup=args.warmup, token=officer_token, principal=officer
        )
        profile_text = ""
        if args.profile:
            profile_text = graphql_overhead.profile(token=officer_token, principal=officer)

    median = common.median
    handler_rss = median(cold.handler.rss_mib)
    rows = [
        [
            f"1. cold start to first answer (median of {cold.runs})",
            f"{median(cold.handler.wall_ms):.0f} ms",
            f"{median(cold.baseline.wall_ms):.0f} ms",
            f"{cold.ratio:.2f}",
            f"<= {COLD_START_GOAL}",
            verdict(cold.ratio, COLD_START_GOAL),
        ],
        [
            "1. cold start peak RSS (median)",
            f"{handler_rss:.1f} MiB",
            f"{median(cold.baseline.rss_mib):.1f} MiB",
            f"{handler_rss / median(cold.baseline.rss_mib):.2f}",
            f"<= {RSS_GOAL_MIB:.0f} MiB",
            verdict(handler_rss, RSS_GOAL_MIB),
        ],
        [
            "   (floor: the same third-party imports + client, no argus code)",
            f"{median(cold.floor.wall_ms):.0f} ms",
            f"{median(cold.baseline.wall_ms):.0f} ms",
            f"{cold.floor_ratio:.2f}",
            "(info)",
            "-",
        ],
        [
            f"2. GraphQL {overhead.items}-item list (median of {len(overhead.ours_ms)})",
            f"{median(overhead.ours_ms):.2f} ms",
            f"{median(overhead.baseline_ms):.2f} ms",
            f"{overhead.ratio:.2f}",
            f"<= {OVERHEAD_GOAL}",
            verdict(overhead.ratio, OVERHEAD_GOAL),
        ],
    ]

    print()
    print("Argus benchmarks: " + "; ".join(notes))
    print()
    print_table(rows)
    print()
    print("Benchmark 1, cold start: a fresh interpreter per sample; wall = spawn -> answer.")
    print("  ours     = import argus.handlers.graphql + one authenticated")
    print("             `{ organisation { id name slug } }` through Mangum (API GW HTTP API v2;")
    print("             JWKS over HTTP; GetItem on the moto server)")
    print("  baseline = import boto3 + boto3.client('dynamodb') for the same endpoint")
    print("  floor    = the handler's third-party imports + a botocore DynamoDB client, without argus")
    for name, samples in (("ours", cold.handler), ("baseline", cold.baseline), ("floor", cold.floor)):
        d = cold_start.describe(samples)
        print(
            f"  {name:<9} wall {d['wall']}: start-up {d['startup']}, import {d['import']}, "
            f"first request {d['work']}; peak RSS {d['rss']}"
        )
    print(f"  median of the per-run ratios (each run paired ours with a baseline): {cold.paired_ratio:.2f}")
    if breakdown:
        total = breakdown[0][1]
        print("  import self-time by package (one -X importtime run, inflated by tracing):")
        print(
            "    "
            + ", ".join(
                f"{name} {ms:.0f} ms ({100 * ms / total:.0f}%)"
                if name != "(all imports)"
                else f"all {ms:.0f} ms"
                for name, ms in breakdown
            )
        )
    print()
    print(f"Benchmark 2, GraphQL overhead: {overhead.items} staff profiles from memory, warm, alternating.")
    print("  ours     = Mangum handler: API GW v2 event -> token verified -> real schema + extensions")
    print("             -> JSON body")
    print("  baseline = graphql_sync on a hand-built graphql-core schema (same fields and checks)")
    print("             + json.dumps")
    print(
        f"  ours {graphql_overhead.describe(overhead.ours_ms)}; baseline "
        f"{graphql_overhead.describe(overhead.baseline_ms)}; median of the per-round ratios "
        f"{overhead.paired_ratio:.2f}"
    )
    fixed = median(overhead.trivial_ms)
    print(
        f"  fixed cost per request (`{{ __typename }}` through the same handler, token verified): "
        f"{graphql_overhead.describe(overhead.trivial_ms)}; without it the ratio would be "
        f"{(median(overhead.ours_ms) - fixed) / median(overhead.baseline_ms):.2f}"
    )
    if profile_text:
        print()
        print(profile_text)
    print()
    if start_load > 0.7:
        print(f"Note: the machine was busy when the run started (1-minute load average {start_load:.2f}).")
        print("Baselines ran interleaved under the same load; rerun on a quiet machine for clean numbers.")
    print(f"Total benchmark time {time.perf_counter() - started:.0f} s.")

    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "notes": notes,
                    "cold_start": {
                        "handler": vars(cold.handler),
                        "baseline": vars(cold.baseline),
                        "floor": vars(cold.floor),
                        "ratio": cold.ratio,
                        "paired_ratio": cold.paired_ratio,
                        "floor_ratio": cold.floor_ratio,
                    },
                    "import_breakdown_ms": breakdown,
                    "graphql_overhead": {
                        "ours_ms": overhead.ours_ms,
                        "baseline_ms": overhead.baseline_ms,
                        "trivial_ms": overhead.trivial_ms,
                        "ratio": overhead.ratio,
                        "paired_ratio": overhead.paired_ratio,
                    },
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
