"""Benchmark: DynamoDB requests to read an incident's timeline of 200 events.

Goal (issue): one page = one request. The page itself is one Query on the incident's partition; the
service also reads the incident (one GetItem) to check that the caller is its reporter or staff, so a
call costs two requests. Both numbers are printed. Run: ``python -m benchmarks.timeline``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from benchmarks.captain_hub import RequestCounter, hooked_dynamodb_clients, in_process_aws

EVENTS = 200
ORG = "bench-timeline"


def _officer() -> Any:
    from argus.platform.auth.principal import Principal, Role

    return Principal(sub="bench-officer", org_id=ORG, roles=frozenset({Role.OFFICER}))


def run(log: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    say = log or (lambda _: None)
    counter = RequestCounter()
    with in_process_aws(["argus-bench-timeline"]), hooked_dynamodb_clients(counter):
        from argus.incidents.service import reports, timeline

        officer = _officer()
        incident = reports.report(
            officer,
            {
                "category": "burglary",
                "occurred_from": "2026-03-01T22:00:00Z",
                "location": {"type": "Point", "coordinates": [-0.1055, 51.5292]},
                "description": "Benchmark incident",
            },
        )
        say(f"writing {EVENTS - 1} notes on the incident ...")
        for n in range(EVENTS - 1):
            reports.add_note(officer, incident.id, f"note {n}")
        with counter.counting() as tally:
            page = timeline.timeline(officer, incident.id, EVENTS, None)
        assert len(page.items) == EVENTS and not page.has_next_page, (len(page.items), page.has_next_page)
        queries, total = tally.calls.get("Query", 0), tally.total
        calls = dict(tally.calls)
    return [
        {
            "name": f"timeline page of {EVENTS} events: DynamoDB Query calls",
            "ours": queries,
            "baseline": None,
            "ratio": None,
            "goal": "1",
            "met": queries == 1,
            "unit": "requests",
        },
        {
            "name": "timeline call, all requests ("
            + ", ".join(f"{k} x{v}" for k, v in sorted(calls.items()))
            + ")",
            "ours": total,
            "baseline": None,
            "ratio": None,
            "goal": "(info: + the GetItem that authorises the reader)",
            "met": None,
            "unit": "requests",
        },
    ]


def main() -> int:
    rows = run(log=print)
    for row in rows:
        met = "-" if row["met"] is None else ("yes" if row["met"] else "NO")
        print(f"{row['name']:<78} {row['ours']:>4} {row['unit']:<9} goal {row['goal']:<10} met {met}")
    return 0 if all(r["met"] in (True, None) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
