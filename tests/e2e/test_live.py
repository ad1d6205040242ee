"""Live events: a WebSocket subscriber (graphql-transport-ws) receives its own organisation's
changes made over HTTP, and never another organisation's."""

from __future__ import annotations

from typing import Any

import pytest
from argus.api.live import get_broker
from argus.local.stack import LocalStack

from .support import (
    ORGANISATION_EVENTS,
    ORGANISATION_UPDATED,
    UPDATE_ORGANISATION,
    GraphQLClient,
    GraphQLWebSocket,
    Org,
    bearer_params,
    create_org,
    unique,
    wait_for_audit,
    wait_until,
)

pytestmark = pytest.mark.e2e

QUIET_WAIT = 1.5  # seconds a subscriber must stay silent once the event has reached the right one


def subscribe(stack: LocalStack, token: str, subscription_id: str) -> GraphQLWebSocket:
    ws = GraphQLWebSocket(stack.websocket_url)
    answer = ws.init(bearer_params(token))
    assert answer is not None and answer["type"] == "connection_ack", answer
    ws.subscribe(subscription_id, ORGANISATION_EVENTS)
    return ws


def next_update(ws: GraphQLWebSocket, subscription_id: str, org: Org, version: int) -> dict[str, Any]:
    """The live update of ``org`` to ``version``; any other event before it must be ``org``'s own
    (its creation may still be in flight when the subscription starts)."""
    while True:
        payload = ws.next_event(subscription_id, timeout=10)
        assert payload is not None, f"no live event for {org.id} within 10 s"
        assert "errors" not in payload, payload
        event: dict[str, Any] = payload["data"]["organisationEvents"]
        assert event["orgId"] == org.id, f"a subscriber of {org.id} received {event}"
        if event["type"] == ORGANISATION_UPDATED and event["data"]["organisation"]["version"] == version:
            return event


def silent(ws: GraphQLWebSocket, subscription_id: str, org: Org, seconds: float) -> list[dict[str, Any]]:
    """Events received within ``seconds`` that do not belong to ``org`` (none expected)."""
    foreign = []
    while (payload := ws.next_event(subscription_id, timeout=seconds)) is not None:
        event = payload["data"]["organisationEvents"]
        if event["orgId"] != org.id:
            foreign.append(event)
    return foreign


def test_a_subscriber_receives_its_organisations_update_and_no_other(
    stack: LocalStack, gql: GraphQLClient
) -> None:
    home = create_org(gql, stack, "live-home")
    away = create_org(gql, stack, "live-away")
    broker = get_broker()
    already = broker.subscriber_count
    # any authenticated person of the organisation may subscribe: a resident here
    with (
        subscribe(stack, stack.token(home.id, ["resident"], sub=unique("resident")), "home") as home_ws,
        subscribe(stack, stack.token(away.id, ["member"], sub=unique("member")), "away") as away_ws,
    ):
        wait_until(
            lambda: broker.subscriber_count >= already + 2,
            timeout=10,
            what="both subscriptions to be registered",
        )

        renamed = gql.execute(
            UPDATE_ORGANISATION, {"input": {"name": "Home Watch Renamed"}}, token=home.admin_token
        ).ok()["updateOrganisation"]
        event = next_update(home_ws, "home", home, renamed["version"])
        assert event["subject"] == home.id
        assert home.id in event["source"]
        assert event["data"]["changed"] == ["name"]
        assert event["data"]["actor"] == home.admin_sub
        assert event["data"]["organisation"]["name"] == "Home Watch Renamed"
        assert silent(away_ws, "away", away, QUIET_WAIT) == [], (
            "another organisation's subscriber got the event"
        )

        # the quiet subscriber is live: it receives its own organisation's change, and the first does not
        away_renamed = gql.execute(
            UPDATE_ORGANISATION, {"input": {"locale": "cy-GB"}}, token=away.admin_token
        ).ok()["updateOrganisation"]
        away_event = next_update(away_ws, "away", away, away_renamed["version"])
        assert away_event["data"]["changed"] == ["locale"]
        assert silent(home_ws, "home", home, QUIET_WAIT) == []

    # the live event is the same CloudEvent the audit consumer recorded
    trail = wait_for_audit(
        gql,
        home.admin_token,
        lambda t: any(r["eventId"] == event["id"] for r in t),
        what="the live event in the audit trail",
    )
    assert [r["eventType"] for r in trail if r["eventId"] == event["id"]] == [ORGANISATION_UPDATED]
