"""Captain hub: a constant number of DynamoDB requests whatever the size of the roster.

Goal: the hub of a captain of 5 blocks costs at most 3 DynamoDB requests (their partition, one roster
page, their recent activity), and the same number for 400 households as for 40.

Setup   moto in process (``moto.mock_aws``), an Argus table for each size created from
        ``argus.platform.table.create_table_request``; for each size an organisation of its own with one
        group of 5 blocks (``argus.geo.synthetic_city``), one captain for the 5 blocks, 40 or 400
        households (per block: all but one imported with ``roster_import.import_roster``, the last one a
        pending enrolment, so the captain has open tasks), and 3 logged activities — all through the
        services, as the API would.
Counted every DynamoDB API call made while ``argus.watch.service.captains.captain_hub`` runs, with a
        botocore ``before-call.dynamodb`` handler on every DynamoDB client botocore creates (the hook
        wraps ``botocore.session.Session.create_client``, so it sees pynamodb's clients whatever session
        ``pynamodb.connection.base`` made them with; cached connections are dropped first). A
        ``before-send.dynamodb`` handler, registered first, counts HTTP attempts (retries) as well. The
        hook proves itself before measuring: one ``get_figures`` must count exactly one GetItem.
        Counted for the first roster page and for every later page (following the cursors).
Timed   the hub's median wall time (default page of 20) at both sizes, each size in a table of its own,
        in blocks of rounds alternating between the sizes; the ratio 400/40 is informational: moto's
        Query walks every item of the table, DynamoDB's reads only the page. The time spent inside the
        DynamoDB calls (``before-call`` to ``after-call``) is reported apart from the rest (argus,
        pynamodb, request building).

Run: ``python -m benchmarks.captain_hub`` (exit status 1 when the goal is not met).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

if not __package__:  # `python benchmarks/captain_hub.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REGION = "eu-west-2"
TABLE_NAME = "argus-bench-hub"
BLOCKS = 5
SIZES = (40, 400)
MAX_REQUESTS = 3
ROUNDS = 40
TIMING_BLOCKS = 4
WARMUP = 3
CAPTAIN = "bench-captain"
_ENV_PREFIXES = ("ARGUS_", "AWS_")


# -- counting DynamoDB requests with botocore's event hooks ----------------------------------------------


@dataclass
class RequestCounter:
    """Counts DynamoDB API calls (``before-call``) and HTTP attempts (``before-send``) while armed."""

    armed: bool = False
    calls: Counter[str] = field(default_factory=Counter)
    sends: int = 0
    clients: int = 0
    in_calls_s: float = 0.0  # time between before-call and after-call (moto's work + parsing its answer)
    _started: float = 0.0

    def before_call(self, model: Any = None, **_: Any) -> None:
        if self.armed:
            self.calls[getattr(model, "name", "?")] += 1
            self._started = time.perf_counter()

    def after_call(self, **_: Any) -> None:
        if self.armed and self._started:
            self.in_calls_s += time.perf_counter() - self._started
            self._started = 0.0

    def before_send(self, **_: Any) -> None:
        if self.armed:
            self.sends += 1

    def attach(self, client: Any) -> None:
        events = client.meta.events
        events.register("before-call.dynamodb", self.before_call, unique_id=f"bench-call-{id(self)}")
        events.register("after-call.dynamodb", self.after_call, unique_id=f"bench-after-{id(self)}")
        # first: moto (and any stubber) answers in before-send and stops the handlers after it
        events.register_first("before-send.dynamodb", self.before_send, unique_id=f"bench-send-{id(self)}")
        self.clients += 1

    @contextmanager
    def counting(self) -> Iterator[RequestCounter]:
        """Count what the body does; yields a fresh tally (this counter, reset)."""
        self.calls, self.sends, self.in_calls_s, self.armed = Counter(), 0, 0.0, True
        try:
            yield self
        finally:
            self.armed = False

    @property
    def total(self) -> int:
        return sum(self.calls.values())


@contextmanager
def hooked_dynamodb_clients(counter: RequestCounter) -> Iterator[None]:
    """Attach ``counter`` to every DynamoDB client created meanwhile (pynamodb makes its own botocore
    session per connection and thread, so the hook sits where every session creates its clients)."""
    import botocore.session

    original = botocore.session.Session.create_client

    def create_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        client = original(self, service_name, *args, **kwargs)
        if service_name == "dynamodb":
            counter.attach(client)
        return client

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
    try:
        yield
    finally:
        botocore.session.Session.create_client = original  # type: ignore[method-assign]


# -- the environment -------------------------------------------------------------------------------------


def _reset_package() -> None:
    """Forget cached settings, clients and pynamodb connections (they are made again on next use)."""
    from argus.platform.aws import reset_clients
    from argus.platform.models import bind_table
    from argus.platform.publisher import get_publisher
    from argus.platform.settings import reset_settings

    reset_settings()
    reset_clients()
    get_publisher.cache_clear()
    bind_table()


def table_name(size: int) -> str:
    return f"{TABLE_NAME}-{size}"


def use_table(name: str) -> None:
    """Point the package at another table (settings, clients and connections are made again)."""
    os.environ.update(ARGUS_TABLE_NAME=name, ARGUS_EVENT_BUS_NAME=name)
    _reset_package()


@contextmanager
def in_process_aws(tables: list[str]) -> Iterator[None]:
    """moto in process with Argus tables (the first one in use); the environment and caches are
    restored afterwards.

    moto's own transact_write_items deep-copies the whole table for every transaction (minutes for the
    400-household roster); the local stack's replacements (argus.local.moto_patches) are used meanwhile."""
    from argus.local import moto_patches
    from moto import mock_aws

    saved = {k: v for k, v in os.environ.items() if k.startswith(_ENV_PREFIXES)}
    for name in ("ARGUS_AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL", "AWS_PROFILE"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        ARGUS_STAGE="bench",
        ARGUS_REGION=REGION,
        ARGUS_TABLE_NAME=tables[0],
        ARGUS_EVENT_BUS_NAME=tables[0],
    )
    try:
        with moto_patches.installed(), mock_aws():
            import boto3
            from argus.platform.table import create_table_request

            client = boto3.client("dynamodb", region_name=REGION)
            for name in tables:
                client.create_table(**create_table_request(name))
            _reset_package()
            yield
    finally:
        for key in [k for k in os.environ if k.startswith(_ENV_PREFIXES)]:
            del os.environ[key]
        os.environ.update(saved)
        _reset_package()


# -- the programme ------------------------------------------------------------------------------------


def _household(rng: random.Random, block: int, house: int) -> dict[str, Any]:
    people = []
    for person in range(1 + (rng.random() < 0.35)):
        name = f"{rng.choice(['Amara', 'Ben', 'Chloe', 'Dev', 'Efe'])} {rng.choice(['Brown', 'Das', 'Ito'])}"
        people.append(
            {
                "display_name": name,
                "sub": f"bench-member-{block}-{house}-{person}",
                "channels": [
                    {
                        "channel": "email",
                        "address": f"member.{block}.{house}.{person}@bench.example",
                        "consent_wording": "I agree to receive watch alerts by email.",
                    }
                ],
            }
        )
    return {"address": {"line1": f"{2 * house + 1} Bench Street", "postcode": "EC1R 4QX"}, "members": people}


def build_programme(org_id: str, households: int, seed: int) -> None:
    """One group of 5 blocks, one captain for all of them, ``households`` households in all."""
    from argus.geo import synthetic_city
    from argus.platform import clock
    from argus.platform.auth.principal import Principal, Role
    from argus.watch.service import captains, groups, members, roster_import

    if households % BLOCKS:
        raise ValueError(f"households must be a multiple of {BLOCKS}")
    rng = random.Random(seed)
    officer = Principal(sub="bench-officer", org_id=org_id, roles=frozenset({Role.OFFICER}))
    resident = Principal(sub="bench-founder", org_id=org_id, roles=frozenset({Role.RESIDENT}))
    captain = Principal(sub=CAPTAIN, org_id=org_id, roles=frozenset({Role.CAPTAIN}))
    layout = synthetic_city(seed, groups=1, blocks_per_group=BLOCKS).groups[0]
    group = groups.propose_group(resident, {"name": "Bench Watch", "boundary": layout.boundary.geojson})
    groups.change_status(officer, {"group_id": group.id, "status": "registered", "reason": "Benchmark"})
    for index, named in enumerate(layout.blocks):
        block = groups.add_block(officer, {"group_id": group.id, "name": named.name, "area": named.geojson})
        captains.assign_captain(officer, group.id, block.id, CAPTAIN)
        per_block = households // BLOCKS
        rows = [_household(rng, index, house) for house in range(per_block - 1)]
        roster_import.import_roster(captain, {"group_id": group.id, "block_id": block.id, "households": rows})
        applicant = Principal(sub=f"bench-applicant-{index}", org_id=org_id, roles=frozenset({Role.RESIDENT}))
        members.enrol(
            applicant,
            {
                "group_id": group.id,
                "block_id": block.id,
                "display_name": "Pending Applicant",
                "address": {"line1": f"{1000 + index} Bench Street", "postcode": "EC1R 4QX"},
            },
        )
    for days_ago in (1, 3, 8):
        captains.log_activity(
            captain,
            {
                "group_id": group.id,
                "kind": "patrol",
                "hours": 1.0,
                "occurred_on": (clock.now() - timedelta(days=days_ago)).date().isoformat(),
            },
        )


# -- measuring ----------------------------------------------------------------------------------------


@dataclass
class SizeResult:
    households: int
    first_page: Counter[str]
    first_page_sends: int
    page_totals: list[int]
    roster_members: int
    times_ms: list[float] = field(default_factory=list)
    in_calls_ms: list[float] = field(default_factory=list)


def _measure_requests(counter: RequestCounter, org_id: str, households: int) -> SizeResult:
    from argus.platform.auth.principal import Principal, Role
    from argus.watch.service.captains import captain_hub

    captain = Principal(sub=CAPTAIN, org_id=org_id, roles=frozenset({Role.CAPTAIN}))
    for _ in range(WARMUP):
        captain_hub(captain, None, None)
    with counter.counting():
        hub = captain_hub(captain, None, None)
    first_page, first_sends = Counter(counter.calls), counter.sends
    if len(hub.assignments) != BLOCKS or hub.figures.households != households:
        raise AssertionError(
            f"wrong hub: {len(hub.assignments)} blocks, {hub.figures.households} households "
            f"(expected {BLOCKS}, {households})"
        )
    if len(hub.open_tasks) != BLOCKS or len(hub.recent_activity) != 3:
        raise AssertionError(f"wrong hub: {len(hub.open_tasks)} tasks, {len(hub.recent_activity)} activities")
    # every later page, following the cursors through the five blocks
    totals = [counter.total]
    seen = [m.id for m in hub.roster.items]
    cursor = hub.roster.end_cursor
    while cursor:
        with counter.counting():
            page = captain_hub(captain, None, cursor)
        totals.append(counter.total)
        seen += [m.id for m in page.roster.items]
        cursor = page.roster.end_cursor
    expected = hub.figures.members + hub.figures.pending
    if len(seen) != len(set(seen)) or len(seen) != expected:
        raise AssertionError(
            f"the roster pages gave {len(seen)} members ({len(set(seen))} distinct), not {expected}"
        )
    return SizeResult(households, first_page, first_sends, totals, len(seen))


def _check_hook(counter: RequestCounter, org_id: str) -> None:
    """The hook must see the models' requests: one figures read is exactly one GetItem."""
    from argus.watch.store import captains as store

    store.get_figures(org_id, CAPTAIN)  # the connection exists before counting
    with counter.counting():
        store.get_figures(org_id, CAPTAIN)
    if dict(counter.calls) != {"GetItem": 1} or counter.sends != 1:
        raise RuntimeError(
            f"the request hook is not on pynamodb's client: saw {dict(counter.calls)}, {counter.sends} sends "
            f"({counter.clients} DynamoDB clients hooked)"
        )


def _time_hubs(
    counter: RequestCounter, orgs: dict[int, str], rounds: int
) -> dict[int, tuple[list[float], list[float]]]:
    """(wall ms, ms inside DynamoDB calls) of each hub query, per size: ``TIMING_BLOCKS`` blocks of
    rounds, the sizes alternating (switching tables between blocks, with an untimed warm-up)."""
    from argus.platform.auth.principal import Principal, Role
    from argus.watch.service.captains import captain_hub

    captains = {
        size: Principal(sub=CAPTAIN, org_id=org, roles=frozenset({Role.CAPTAIN}))
        for size, org in orgs.items()
    }
    samples: dict[int, tuple[list[float], list[float]]] = {size: ([], []) for size in orgs}
    order = list(orgs)
    per_block = max(rounds // TIMING_BLOCKS, 1)
    for block in range(TIMING_BLOCKS):
        for size in order if block % 2 == 0 else reversed(order):
            use_table(table_name(size))
            for _ in range(WARMUP):
                captain_hub(captains[size], None, None)
            for _ in range(per_block):
                _time_one(counter, captain_hub, captains[size], samples[size])
    return samples


def _time_one(
    counter: RequestCounter,
    captain_hub: Callable[..., Any],
    captain: Any,
    into: tuple[list[float], list[float]],
) -> None:
    """One timed hub query: its wall time and the time inside its DynamoDB calls, in ms."""
    with counter.counting():
        started = time.perf_counter()
        captain_hub(captain, None, None)
        elapsed = time.perf_counter() - started
    into[0].append(elapsed * 1000)
    into[1].append(counter.in_calls_s * 1000)


def _operations(calls: Counter[str]) -> str:
    return ", ".join(f"{name} x{count}" for name, count in sorted(calls.items())) or "none"


def run(rounds: int = ROUNDS, log: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Build both programmes, count and time the hub; one row per result (see the module docstring).

    Rows: requests at 40 (goal <= 3), requests at 400 (goal <= 3 and equal to 40's), time ratio 400/40
    (informational: ``goal`` and ``met`` are None). Raises AssertionError when the hub answers wrongly,
    RuntimeError when the request hook sees nothing."""
    say = log or (lambda message: print(message, file=sys.stderr, flush=True))
    counter = RequestCounter()
    results: dict[int, SizeResult] = {}
    # a table for each size: moto's query walks every item of the table, not only the partition
    with hooked_dynamodb_clients(counter), in_process_aws([table_name(size) for size in SIZES]):
        orgs = {size: f"bench-hub-{size}" for size in SIZES}
        for size, org in orgs.items():
            use_table(table_name(size))
            started = time.perf_counter()
            build_programme(org, size, seed=size)
            seconds = time.perf_counter() - started
            say(f"captain hub: built {size} households over {BLOCKS} blocks in {seconds:.1f} s")
        for size, org in orgs.items():
            use_table(table_name(size))  # fresh pynamodb connections: their clients come through the hook
            _check_hook(counter, org)
            results[size] = _measure_requests(counter, org, size)
        say(f"captain hub: timing {rounds} rounds at each size ...")
        for size, (wall, inside) in _time_hubs(counter, orgs, rounds).items():
            results[size].times_ms, results[size].in_calls_ms = wall, inside

    small, large = (results[size] for size in SIZES)
    n_small, n_large = sum(small.first_page.values()), sum(large.first_page.values())
    t_small, t_large = statistics.median(small.times_ms), statistics.median(large.times_ms)
    unit = "DynamoDB requests per hub query"
    own_small = [w - i for w, i in zip(small.times_ms, small.in_calls_ms, strict=True)]
    own_large = [w - i for w, i in zip(large.times_ms, large.in_calls_ms, strict=True)]

    def note(result: SizeResult) -> str:
        return (
            f"first page: {_operations(result.first_page)} ({result.first_page_sends} HTTP attempts); "
            f"{len(result.page_totals)} roster pages of 20 cover {result.roster_members} members, "
            f"requests per page min {min(result.page_totals)} max {max(result.page_totals)}"
        )

    worst_small, worst_large = max(small.page_totals), max(large.page_totals)
    return [
        {
            "name": f"captain hub, {SIZES[0]} households / {BLOCKS} blocks: DynamoDB requests per query",
            "ours": n_small,
            "baseline": None,
            "ratio": None,
            "goal": f"<= {MAX_REQUESTS}",
            "met": n_small <= MAX_REQUESTS and worst_small <= MAX_REQUESTS,
            "unit": unit,
            "note": note(small),
        },
        {
            "name": f"captain hub, {SIZES[1]} households / {BLOCKS} blocks: DynamoDB requests per query "
            f"(baseline: {SIZES[0]} households)",
            "ours": n_large,
            "baseline": n_small,
            "ratio": round(n_large / n_small, 2) if n_small else None,
            "goal": f"<= {MAX_REQUESTS} and equal",
            "met": n_large <= MAX_REQUESTS and n_large == n_small and worst_large <= MAX_REQUESTS,
            "unit": unit,
            "note": note(large),
        },
        {
            "name": f"captain hub time, {SIZES[1]} vs {SIZES[0]} households (median of {rounds})",
            "ours": round(t_large, 2),
            "baseline": round(t_small, 2),
            "ratio": round(t_large / t_small, 2),
            "goal": None,
            "met": None,
            "unit": "ms per hub query (median, moto in process)",
            "note": (
                f"range {SIZES[0]}: {min(small.times_ms):.1f}-{max(small.times_ms):.1f} ms, "
                f"{SIZES[1]}: {min(large.times_ms):.1f}-{max(large.times_ms):.1f} ms; inside the DynamoDB "
                f"calls (moto + parsing its answer) {statistics.median(small.in_calls_ms):.1f} / "
                f"{statistics.median(large.in_calls_ms):.1f} ms, the rest (argus, pynamodb, request "
                f"building) {statistics.median(own_small):.1f} / {statistics.median(own_large):.1f} ms "
                f"(ratio {statistics.median(own_large) / statistics.median(own_small):.2f}); informational: "
                "moto's Query walks every item of the table (one table per size here), so its time grows "
                "with the data where DynamoDB reads only the page"
            ),
        },
    ]


def main() -> int:
    rows = run()
    for row in rows:
        verdict = "(info)" if row["met"] is None else ("met" if row["met"] else "NOT met")
        baseline = f", baseline {row['baseline']}" if row["baseline"] is not None else ""
        ratio = f", ratio {row['ratio']}" if row["ratio"] is not None else ""
        goal = f" (goal {row['goal']}: {verdict})" if row["goal"] is not None else f" {verdict}"
        print(f"{row['name']}\n  ours {row['ours']} {row['unit']}{baseline}{ratio}{goal}")
        if row.get("note"):
            print(f"  {row['note']}")
    return 0 if all(row["met"] is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
