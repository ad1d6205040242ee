"""A failing consumer on a running stack: each event is retried ``max_receive_count`` times, then
lands in that consumer's dead-letter queue — while the other consumers (the audit trail) carry on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argus.consumers import CONSUMERS
from argus.local.stack import LocalStack

from . import failing_consumer
from .support import (
    ORGANISATION_CREATED,
    ORGANISATION_UPDATED,
    UPDATE_ORGANISATION,
    GraphQLClient,
    create_org,
    queue_depths,
    running_stack,
    wait_for_audit,
    wait_until,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def failing_stack(argus_local_dir: Path) -> Iterator[LocalStack]:
    """A separate stack whose consumers include one that always fails."""
    with running_stack(seed=False, consumers=(*CONSUMERS, failing_consumer.SPEC)) as started:
        yield started


@pytest.fixture(scope="module")
def failing_gql(failing_stack: LocalStack) -> Iterator[GraphQLClient]:
    client = GraphQLClient(failing_stack.graphql_url)
    yield client
    client.close()


def dead_letters(stack: LocalStack, consumer: str) -> dict[str, dict[str, Any]]:
    """The CloudEvents now in ``consumer``'s DLQ, by id (received, then made visible again)."""
    assert stack.resources is not None
    sqs = stack.clients["sqs"]
    url = stack.resources.consumer_queues[consumer].dlq_url
    found: dict[str, dict[str, Any]] = {}
    messages = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=0
    ).get("Messages", [])
    for message in messages:
        envelope = json.loads(message["Body"])
        found[envelope["detail"]["id"]] = envelope
    return found


def test_a_failing_consumer_is_retried_then_dead_lettered_without_blocking_others(
    failing_stack: LocalStack, failing_gql: GraphQLClient
) -> None:
    stack, gql = failing_stack, failing_gql
    spec = failing_consumer.SPEC
    assert spec.max_receive_count == 3
    org = create_org(gql, stack, "dlq")
    gql.execute(UPDATE_ORGANISATION, {"input": {"name": "Dead Letter Watch"}}, token=org.admin_token).ok()

    # the audit consumer is not held up by the failing one: both events are recorded promptly
    trail = wait_for_audit(gql, org.admin_token, lambda t: len(t) == 2, what="both events in the audit trail")
    assert [r["eventType"] for r in trail] == [ORGANISATION_UPDATED, ORGANISATION_CREATED]
    event_ids = {r["eventId"] for r in trail}

    # each event reaches the failing consumer's DLQ …
    letters: dict[str, dict[str, Any]] = {}

    def all_dead_lettered() -> bool:
        letters.update(dead_letters(stack, spec.name))
        return event_ids <= set(letters)

    wait_until(all_dead_lettered, timeout=20, interval=0.2, what="both events in the always-fails DLQ")
    for event_id in event_ids:
        envelope = letters[event_id]
        assert envelope["source"].startswith("argus.")
        assert envelope["detail"]["orgid"] == org.id
        assert envelope["detail-type"] == envelope["detail"]["type"]
        # … after exactly max_receive_count attempts
        assert failing_consumer.attempts(event_id) == spec.max_receive_count, dict(failing_consumer.ATTEMPTS)

    # nothing is left to retry, the audit consumer's own DLQ is empty and its trail has no duplicates
    assert queue_depths(stack)[stack.resources.consumer_queues[spec.name].name] == 0  # type: ignore[union-attr]
    assert dead_letters(stack, "audit") == {}
    assert [r["eventId"] for r in wait_for_audit(gql, org.admin_token, lambda t: len(t) >= 2)] == [
        r["eventId"] for r in trail
    ]
    assert all(failing_consumer.attempts(e) == spec.max_receive_count for e in event_ids)
