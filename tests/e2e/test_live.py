"""Live events: a WebSocket subscriber (graphql-transport-ws) receives its own organisation's
changes made over HTTP, and never another organisation's; a subscription ends when its token expires
(on time, with no event to prompt it), and a member who leaves the group stops receiving its activity."""

from __future__ import annotations

import contextlib
import math
import time
from typing import Any

import jwt
import pytest
from argus.api.live import get_broker
from argus.local.stack import LocalStack

from .support import (
    ORGANISATION_EVENTS,
    ORGANISATION_UPDATED,
    UPDATE_ORGANISATION,
    WATCH_CAPTAIN_2,
    WATCH_GROUP_ACTIVITY,
    Closed,
    GraphQLClient,
    GraphQLWebSocket,
    Org,
    WatchProgramme,
    bearer_params,
    create_org,
    log_patrol,
    unique,
    wait_for_audit,
    wait_until,
    watch_programme,
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


# -- subscriptions end when they may no longer be had -------------------------------------------------

TOKEN_LIFETIME = 5  # seconds the short-lived token lives (`argus token --ttl 5`)
ON_TIME = 1.5  # seconds after the token's exp within which every subscription must have ended
REPORT = "mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { id } }"
TIMELINE = "subscription($id: ID!) { incidentTimeline(incidentId: $id) { kind } }"
ADD_MEMBER = """
mutation($input: EnrolmentInput!, $sub: String) { addMember(input: $input, memberSub: $sub) { id status } }
"""
LEAVE = "mutation($g: ID!) { leaveWatchGroup(groupId: $g) { status } }"
ACTIVITY_LOGGED = "org.argus.watch.activity.logged.v1"


@pytest.fixture(scope="module")
def programme(stack: LocalStack, gql: GraphQLClient) -> WatchProgramme:
    return watch_programme(gql, stack)


def connect(stack: LocalStack, token: str) -> GraphQLWebSocket:
    ws = GraphQLWebSocket(stack.websocket_url)
    answer = ws.init(bearer_params(token))
    assert answer is not None and answer["type"] == "connection_ack", answer
    return ws


def ends(
    ws: GraphQLWebSocket, ids: set[str], deadline: float, *, data_until: float = 0.0
) -> dict[str, tuple[float, list[dict[str, Any]]]]:
    """For each subscription of ``ids``: when its error arrived and the errors, read until every one
    has completed (or ``deadline``, a monotonic time). Events may arrive only until ``data_until``
    (wall-clock seconds; by default none at all)."""
    found: dict[str, tuple[float, list[dict[str, Any]]]] = {}
    completed: set[str] = set()
    while completed != ids and (remaining := deadline - time.monotonic()) > 0:
        message = ws.receive(remaining)
        if message is None:
            break
        key = message.get("id")
        if message["type"] == "complete":
            completed.add(key)  # type: ignore[arg-type]
            continue
        payload = message.get("payload")
        if isinstance(payload, dict) and payload.get("data"):
            assert time.time() < data_until, f"delivered after the end: {message}"
            continue
        errors = payload.get("errors") if isinstance(payload, dict) else payload
        found[key] = (time.time(), list(errors or []))  # type: ignore[index]
    assert completed == ids, f"not ended: {sorted(ids - completed)} (messages: {ws.received})"
    return found


def test_a_short_lived_tokens_subscriptions_end_when_it_expires(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    # Given an officer who reported an incident, and a token of theirs that lives a few seconds
    org = programme.org.id
    officer_sub = unique("live-officer")
    long_lived = stack.token(org, ["officer"], sub=officer_sub)
    lon, lat = programme.blocks[0].point
    report = {
        "category": "BURGLARY",
        "occurredFrom": "2026-11-20T22:00:00Z",
        "location": {"longitude": lon, "latitude": lat},
        "description": "Shed door forced overnight",
    }
    incident_id = gql.execute(REPORT, {"i": report}, token=long_lived).ok()["reportIncident"]["id"]
    short = stack.token(org, ["officer"], sub=officer_sub, ttl=TOKEN_LIFETIME)
    expires = jwt.decode(short, options={"verify_signature": False})["exp"]
    broker = get_broker()
    already = broker.subscriber_count
    # When it follows the organisation, the group and the incident on one connection
    with connect(stack, short) as ws:
        ws.subscribe("org", ORGANISATION_EVENTS)
        ws.subscribe("group", WATCH_GROUP_ACTIVITY, {"groupId": programme.group_id})
        ws.subscribe("incident", TIMELINE, {"id": incident_id})
        wait_until(lambda: broker.subscriber_count >= already + 3, timeout=5, what="the subscriptions")
        assert time.time() < expires, "the token expired before the subscriptions started"
        # and no event comes, Then each ends with UNAUTHENTICATED at the token's expiry
        # (events from before the expiry, such as the report's own, may come first)
        deadline = time.monotonic() + TOKEN_LIFETIME + ON_TIME + 2
        found = ends(ws, {"org", "group", "incident"}, deadline, data_until=expires)
        for key, (at, errors) in found.items():
            assert [(e["extensions"]["code"], e["extensions"]["details"]["reason"]) for e in errors] == [
                ("UNAUTHENTICATED", "token_expired")
            ], (key, errors)
            assert expires - 0.1 <= at <= expires + ON_TIME, f"{key} ended {at - expires:+.2f} s from exp"
        # And a change made afterwards reaches nothing on that connection
        gql.execute(UPDATE_ORGANISATION, {"input": {"locale": "en-GB"}}, token=programme.org.admin_token).ok()
        # And a new subscription on it is ended at once
        ws.subscribe("again", ORGANISATION_EVENTS)
        [(_, errors)] = ends(ws, {"again"}, time.monotonic() + 5).values()
        assert {e["extensions"]["code"] for e in errors} == {"UNAUTHENTICATED"}
        with contextlib.suppress(Closed):
            assert ws.receive(1.0) is None, ws.received[-1]


def activity_seen(ws: GraphQLWebSocket, activity_id: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        payload = ws.next_event("group", timeout=remaining)
        if payload is None:
            return False
        event = payload["data"]["watchGroupActivity"]
        if event["type"] == ACTIVITY_LOGGED and event["data"]["activityId"] == activity_id:
            return True
    return False


def test_a_member_who_leaves_stops_receiving(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    # Given a member of the group (added by an officer) and the officer, both following it live
    block = programme.blocks_of(WATCH_CAPTAIN_2)[0]
    member_sub = unique("live-member")
    person = {
        "groupId": programme.group_id,
        "blockId": block.id,
        "displayName": "Leaving Member",
        "address": {"line1": "3 Amwell Street", "postcode": "EC1R 1UL"},
    }
    added = gql.execute(ADD_MEMBER, {"input": person, "sub": member_sub}, token=programme.officer_token).ok()
    assert added["addMember"]["status"] == "ACTIVE"
    member = stack.token(programme.org.id, ["member"], sub=member_sub)
    captain = programme.captain_token(stack, WATCH_CAPTAIN_2)
    with connect(stack, member) as member_ws, connect(stack, programme.officer_token) as officer_ws:
        member_ws.subscribe("group", WATCH_GROUP_ACTIVITY, {"groupId": programme.group_id})
        officer_ws.subscribe("group", WATCH_GROUP_ACTIVITY, {"groupId": programme.group_id})
        # (both are live once each has seen an activity logged after it subscribed)
        waiting = {"member": member_ws, "officer": officer_ws}
        for _ in range(5):
            sentinel = log_patrol(gql, captain, programme, block.id)
            waiting = {k: ws for k, ws in waiting.items() if not activity_seen(ws, sentinel, 4.0)}
            if not waiting:
                break
        assert not waiting, f"never live: {sorted(waiting)}"
        # When the member leaves, and the captain logs another activity
        assert (
            gql.execute(LEAVE, {"g": programme.group_id}, token=member).ok()["leaveWatchGroup"]["status"]
            == "LEFT"
        )
        after = log_patrol(gql, captain, programme, block.id)
        # Then the officer receives it, and the member does not: their subscription ends FORBIDDEN
        assert activity_seen(officer_ws, after, 20.0), "the officer did not receive the activity"
        [(_, errors)] = ends(member_ws, {"group"}, time.monotonic() + 20, data_until=math.inf).values()
        assert [(e["extensions"]["code"], e["extensions"]["details"]["reason"]) for e in errors] == [
            ("FORBIDDEN", "relation_ended")
        ]
        assert after not in str(member_ws.received)
