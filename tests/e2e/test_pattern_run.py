"""A crime-pattern run on the running stack: a city's incidents (some imported in the City of Chicago
layout), an officer asks for a run, the pattern-job consumer performs it in the background, and the new
hot spot is announced with org.argus.pattern.detected.v1 (seen in the audit trail, which records every
event). A run whose job fails on every delivery turns FAILED after the last one, announced with
org.argus.pattern.run-failed.v1, and its message is dead-lettered."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import h3
import pytest
from argus.consumers import PATTERN_JOB
from argus.local.stack import LocalStack
from argus.patterns import job

from tests.factories.patterns import NEW, chicago_csv, planted_city, save_items

from .support import GraphQLClient, create_org, unique, wait_for_audit, wait_until

pytestmark = pytest.mark.e2e

IMPORT = "mutation($csv: String!) { importIncidents(format: CHICAGO, csv: $csv) { imported rejected } }"
REQUEST = "mutation { requestPatternRun(weeks: 12) { id status } }"
RUN = "query($id: ID!) { patternRun(id: $id) { status incidents detected cells { cell category hot } } }"
DETECTED = "org.argus.pattern.detected.v1"
RUN_FAILED = "org.argus.pattern.run-failed.v1"
FAILURE = "query($id: ID!) { patternRun(id: $id) { status failedAt failureReason } }"


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


class IncidentStoreDown(Exception):
    pass


def test_a_pattern_run_that_keeps_failing_turns_failed(
    stack: LocalStack, gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = create_org(gql, stack, "patterns-fail")
    officer = stack.token(org.id, ["officer"], sub=unique("officer"))
    # the pattern job (run in this process by the stack's poller) cannot read this organisation's incidents
    read_points = job.read_points
    attempts: list[str] = []

    def failing_read(org_id: str, *args: Any, **kwargs: Any) -> Any:
        if org_id == org.id:
            attempts.append(org_id)
            raise IncidentStoreDown(f"no incidents for {org_id}")
        return read_points(org_id, *args, **kwargs)

    monkeypatch.setattr(job, "read_points", failing_read)
    requested = gql.execute(REQUEST, token=officer).ok()["requestPatternRun"]

    def failed() -> dict[str, Any] | None:
        run = gql.execute(FAILURE, {"id": requested["id"]}, token=officer).ok()["patternRun"]
        return run if run["status"] != "REQUESTED" else None

    # the poller passes SQS's ApproximateReceiveCount, so the last of the declared attempts is known
    run = wait_until(failed, timeout=30, interval=0.2, what="the failed pattern run")
    assert run["status"] == "FAILED" and run["failureReason"] == "IncidentStoreDown" and run["failedAt"]
    assert len(attempts) == PATTERN_JOB.max_receive_count

    trail = wait_for_audit(
        gql,
        org.admin_token,
        lambda entries: any(e["eventType"] == RUN_FAILED for e in entries),
        what="the pattern.run-failed event",
    )
    (announced,) = [e for e in trail if e["eventType"] == RUN_FAILED]
    assert announced["subject"] == requested["id"] and announced["data"]["reason"] == "IncidentStoreDown"

    # and the request itself went to the pattern job's dead-letter queue, as before
    assert stack.resources is not None
    dlq = stack.resources.consumer_queues[PATTERN_JOB.name].dlq_url

    def dead_lettered() -> bool:
        messages = (
            stack.clients["sqs"]
            .receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=0)
            .get("Messages", [])
        )
        return any(json.loads(m["Body"])["detail"]["subject"] == requested["id"] for m in messages)

    wait_until(dead_lettered, timeout=15, interval=0.2, what="the request in the pattern job's DLQ")
