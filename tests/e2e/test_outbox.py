"""The transactional outbox on the running stack: a change whose transaction fails emits nothing —
no audit entry, no live event — and the change after it is delivered as usual."""

from __future__ import annotations

from typing import Any

import pytest
from argus.api.live import get_broker
from argus.local.stack import LocalStack

from .support import (
    ORGANISATION_CREATED,
    ORGANISATION_EVENTS,
    ORGANISATION_UPDATED,
    UPDATE_ORGANISATION,
    GraphQLClient,
    GraphQLWebSocket,
    audit_trail,
    bearer_params,
    create_org,
    organisation,
    unique,
    wait_for_audit,
    wait_until,
)

pytestmark = pytest.mark.e2e


def test_a_failed_transaction_leaves_no_event(fresh_stack: LocalStack, fresh_gql: GraphQLClient) -> None:
    stack, gql = fresh_stack, fresh_gql
    mine = create_org(gql, stack, "outbox-mine")
    theirs = create_org(gql, stack, "outbox-theirs")
    wait_for_audit(gql, mine.admin_token, lambda t: len(t) == 1, what="the creation to be delivered")
    broker = get_broker()
    already = broker.subscriber_count
    with GraphQLWebSocket(stack.websocket_url) as ws:
        answer = ws.init(bearer_params(mine.admin_token))
        assert answer is not None and answer["type"] == "connection_ack", answer
        ws.subscribe("mine", ORGANISATION_EVENTS)
        wait_until(lambda: broker.subscriber_count > already, timeout=10, what="the subscription")
        before = organisation(gql, mine.admin_token)

        # the transaction (new slug reservation + release of the old one + organisation + outbox event)
        # is cancelled by the taken slug
        refused = gql.execute(
            UPDATE_ORGANISATION, {"input": {"slug": theirs.slug, "name": "Refused"}}, token=mine.admin_token
        )
        refused.refused("CONFLICT")
        assert refused.data is None
        assert organisation(gql, mine.admin_token) == before

        # a successful change afterwards is the next — and only — event
        marker = f"Marker {unique('m')}"
        after = gql.execute(UPDATE_ORGANISATION, {"input": {"name": marker}}, token=mine.admin_token).ok()[
            "updateOrganisation"
        ]
        assert after["version"] == before["version"] + 1
        # The organisation's own creation may still be on its way to live subscribers (the live queue
        # is not the audit queue): it may come first; nothing else may, and the refused change never.
        live: dict[str, Any] | None = None
        while live is None:
            payload = ws.next_event("mine", timeout=10)
            assert payload is not None, "the change after the refused one was not delivered live"
            event: dict[str, Any] = payload["data"]["organisationEvents"]
            if event["type"] == ORGANISATION_CREATED and event["data"]["organisation"]["name"] == mine.name:
                continue
            live = event
        assert (live["type"], live["data"]["changed"], live["data"]["organisation"]["name"]) == (
            ORGANISATION_UPDATED,
            ["name"],
            marker,
        ), f"the first live event is not the marker: {live}"
        assert live["data"]["organisation"]["slug"] == mine.slug

    expected = [(ORGANISATION_UPDATED, marker), (ORGANISATION_CREATED, mine.name)]
    trail: list[dict[str, Any]] = []

    def settled() -> bool:
        nonlocal trail
        trail = audit_trail(gql, mine.admin_token)
        seen = [(r["eventType"], r["data"]["organisation"]["name"]) for r in trail]
        return seen == expected or bool(set(seen) - set(expected))

    wait_until(settled, timeout=10, interval=0.1, what="the marker in the audit trail")
    assert [(r["eventType"], r["data"]["organisation"]["name"]) for r in trail] == expected
    assert [r["eventType"] for r in audit_trail(gql, theirs.admin_token)] == [ORGANISATION_CREATED]
