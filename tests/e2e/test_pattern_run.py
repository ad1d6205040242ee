"""A crime-pattern run on the running stack: a city's incidents (some imported in the City of Chicago
layout), an officer asks for a run, the pattern-job consumer performs it in the background, and the new
hot spot is announced with org.argus.pattern.detected.v1 (seen in the audit trail, which records every
event)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import h3
import pytest
from argus.local.stack import LocalStack

from tests.factories.patterns import NEW, chicago_csv, planted_city, save_items

from .support import GraphQLClient, create_org, unique, wait_for_audit, wait_until

pytestmark = pytest.mark.e2e

IMPORT = "mutation($csv: String!) { importIncidents(format: CHICAGO, csv: $csv) { imported rejected } }"
REQUEST = "mutation { requestPatternRun(weeks: 12) { id status } }"
RUN = "query($id: ID!) { patternRun(id: $id) { status incidents detected cells { cell category hot } } }"
DETECTED = "org.argus.pattern.detected.v1"


def test_a_pattern_run_announces_the_new_hot_spot(stack: LocalStack, gql: GraphQLClient) -> None:
    org = create_org(gql, stack, "patterns")
    officer = stack.token(org.id, ["officer"], sub=unique("officer"))
    city = planted_city(datetime.now(UTC), n=1000)
    # the first hundred through the API; the rest straight into the stack's table (the stack runs in this
    # process), as imports store them: importing a thousand rows over HTTP would take a minute here
    rows = chicago_csv(city).splitlines(keepends=True)
    imported = gql.execute(IMPORT, {"csv": "".join(rows[:101])}, token=officer).ok()["importIncidents"]
    assert imported == {"imported": 100, "rejected": 0}
    save_items(city, org.id, start=100)

    requested = gql.execute(REQUEST, token=officer).ok()["requestPatternRun"]
    assert requested["status"] == "REQUESTED"

    def completed() -> dict[str, Any] | None:
        run = gql.execute(RUN, {"id": requested["id"]}, token=officer).ok()["patternRun"]
        return run if run["status"] == "COMPLETED" else None

    run = wait_until(completed, timeout=60, interval=0.5, what="the pattern run")
    assert run["incidents"] == 1000 and run["detected"] >= 1
    burst = h3.latlng_to_cell(*NEW, 9)
    assert {"cell": burst, "category": "new hot spot", "hot": True} in run["cells"]

    trail = wait_for_audit(
        gql,
        org.admin_token,
        lambda entries: len([e for e in entries if e["eventType"] == DETECTED]) >= run["detected"],
        timeout=120,
        what="the pattern.detected events",
    )
    announced = {e["data"]["cell"] for e in trail if e["eventType"] == DETECTED}
    assert burst in announced and len(announced) == run["detected"]
    assert {e["subject"] for e in trail if e["eventType"] == DETECTED} == {requested["id"]}
