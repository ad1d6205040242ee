"""Live events keep up while a bulk import runs: the 849 demo incidents are imported (as an officer
imports a records extract, over GraphQL) and meanwhile an organisation update's live event reaches a
subscriber within seconds. The delays are printed (pytest -s); the bound is generous, the figures are
in benchmarks/README.md (benchmarks/local_stack.py)."""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import pytest
from argus.local.seed_incidents import demo_csv, demo_incidents
from argus.local.stack import LocalStack

from .support import GraphQLClient, create_org, live_event_delays

pytestmark = pytest.mark.e2e

BOUND_S = 10.0
IMPORT = """
mutation($csv: String!) { importIncidents(format: CHICAGO, csv: $csv) { imported duplicates rejected } }
"""


def test_a_live_event_arrives_within_seconds_during_a_bulk_import(
    fresh_stack: LocalStack, fresh_gql: GraphQLClient
) -> None:
    org = create_org(fresh_gql, fresh_stack, "bulk")
    officer = fresh_stack.token(org.id, ["officer"], sub="bulk-officer")
    records = demo_incidents()
    imported: dict[str, Any] = {}

    def bulk_import() -> None:
        importer = GraphQLClient(fresh_stack.graphql_url, timeout=600)
        try:
            imported.update(importer.execute(IMPORT, {"csv": demo_csv(records)}, token=officer).ok())
        except BaseException as exc:  # noqa: BLE001 - reported by the test's assertion
            imported["failed"] = repr(exc)
        finally:
            importer.close()

    # Given a bulk import under way
    importing = threading.Thread(target=bulk_import, name="bulk-import")
    started = time.monotonic()
    importing.start()
    delays: list[float] = []
    try:
        # When the organisation changes again and again meanwhile
        while importing.is_alive() or not delays:
            delays += live_event_delays(fresh_stack, fresh_gql, org.admin_token, rounds=3)
    finally:
        importing.join()
    imported_s = time.monotonic() - started
    print(
        f"\nlive-event delay during an import of {len(records)} incidents ({imported_s:.1f} s): "
        f"{len(delays)} events, "
        f"median {statistics.median(delays):.2f} s, max {max(delays):.2f} s"
    )
    # Then every import row went in, and each event arrived within the bound
    assert imported.get("importIncidents") == {"imported": len(records), "duplicates": 0, "rejected": 0}
    assert max(delays) <= BOUND_S, delays
