"""A group's activity live over WebSocket (graphql-transport-ws): a resident's enrolment over HTTP
reaches the group's member, captain and officer as ``org.argus.watch.member.enrolled.v1`` — with ids
and a status, never a name, an address or an email — and no one of another organisation receives it,
whatever role they have and even with the same subs."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from argus.local.stack import LocalStack

from .support import (
    ENROL,
    MEMBER_ENROLLED,
    WATCH_CAPTAIN_2,
    WATCH_GROUP_ACTIVITY,
    Closed,
    GraphQLClient,
    GraphQLWebSocket,
    WatchProgramme,
    bearer_params,
    create_org,
    log_patrol,
    unique,
    watch_programme,
)

pytestmark = pytest.mark.e2e

ACTIVITY_LOGGED = "org.argus.watch.activity.logged.v1"
SENTINELS = 5  # activities logged at most to see that the subscriptions are live
SENTINEL_WAIT = 4.0  # seconds each subscriber waits for one
EVENT_WAIT = 20.0  # seconds for the live event to arrive (the poller relays it from the table stream)
QUIET_WAIT = 1.5  # seconds another organisation's subscriber must stay silent once it has arrived
REFUSAL_WAIT = 1.0  # seconds to wait for a subscription's refusal before taking it as accepted


@pytest.fixture(scope="module")
def programme(stack: LocalStack, gql: GraphQLClient) -> WatchProgramme:
    return watch_programme(gql, stack)


def open_subscription(stack: LocalStack, token: str, group_id: str) -> GraphQLWebSocket:
    ws = GraphQLWebSocket(stack.websocket_url)
    answer = ws.init(bearer_params(token))
    assert answer is not None and answer["type"] == "connection_ack", answer
    ws.subscribe("activity", WATCH_GROUP_ACTIVITY, {"groupId": group_id})
    return ws


def first_message(ws: GraphQLWebSocket, timeout: float) -> dict[str, Any] | None:
    """The subscription's first protocol message (None: nothing yet; a closed socket counts as one)."""
    try:
        return ws.receive(timeout)
    except Closed as closed:
        return {"type": "closed", "code": closed.code, "reason": closed.reason}


def received(
    ws: GraphQLWebSocket, event_type: str, key: str, value: str, timeout: float
) -> dict[str, Any] | None:
    """The live event of ``event_type`` whose ``data[key]`` is ``value`` (None: not within ``timeout``);
    other events of the group may come first."""
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        payload = ws.next_event("activity", timeout=remaining)
        if payload is None:
            return None
        assert not payload.get("errors"), payload
        event: dict[str, Any] = payload["data"]["watchGroupActivity"]
        if event["type"] == event_type and event["data"].get(key) == value:
            return event
    return None


def enrolment_event(ws: GraphQLWebSocket, member_id: str) -> dict[str, Any]:
    event = received(ws, MEMBER_ENROLLED, "memberId", member_id, EVENT_WAIT)
    assert event is not None, f"no live enrolment of {member_id} within {EVENT_WAIT:.0f} s"
    return event


def delivered(ws: GraphQLWebSocket, seconds: float) -> list[dict[str, Any]]:
    """Every protocol message carrying data received within ``seconds`` (none expected)."""
    found = []
    try:
        while (message := ws.receive(seconds)) is not None:
            payload = message.get("payload")
            if isinstance(payload, dict) and payload.get("data"):
                found.append(message)
    except Closed:
        pass
    return found


def test_an_enrolment_is_seen_live_by_the_group_and_by_no_other_organisation(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    block = programme.blocks_of(WATCH_CAPTAIN_2)[0]
    member_sub = block.member_subs[0]
    org = programme.org.id
    away = create_org(gql, stack, "watch-away")
    home_tokens = {
        "member": stack.token(org, ["member"], sub=member_sub),
        "captain": programme.captain_token(stack, WATCH_CAPTAIN_2),
        "officer": programme.officer_token,
    }
    # the same subs and every role, in another organisation
    away_tokens = {
        "officer": stack.token(away.id, ["officer"], sub=programme.officer_sub),
        "admin": away.admin_token,
        "captain": stack.token(away.id, ["captain"], sub=WATCH_CAPTAIN_2),
        "member": stack.token(away.id, ["member", "resident"], sub=member_sub),
    }
    sockets: dict[str, GraphQLWebSocket] = {}
    try:
        for role, token in away_tokens.items():
            sockets[f"away-{role}"] = open_subscription(stack, token, programme.group_id)
        # an early answer is a refusal (staff of the other organisation are accepted, and filtered)
        refusals: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + REFUSAL_WAIT
        for role in away_tokens:
            message = first_message(sockets[f"away-{role}"], max(deadline - time.monotonic(), 0.05))
            if message is not None:
                refusals[role] = message
        for role, token in home_tokens.items():
            sockets[f"home-{role}"] = open_subscription(stack, token, programme.group_id)
        # the home subscriptions are live once each has received an activity logged after it
        # subscribed (another organisation's, subscribed earlier, are registered by then too)
        captain = programme.captain_token(stack, WATCH_CAPTAIN_2)
        waiting = {role: sockets[f"home-{role}"] for role in home_tokens}
        for _ in range(SENTINELS):
            sentinel = log_patrol(gql, captain, programme, block.id)
            for role, ws in list(waiting.items()):
                if received(ws, ACTIVITY_LOGGED, "activityId", sentinel, SENTINEL_WAIT):
                    del waiting[role]
            if not waiting:
                break
        assert not waiting, f"subscriptions never live: {sorted(waiting)}"
        # a refusal is an error, never data
        for role, message in refusals.items():
            payload = message.get("payload")
            assert message["type"] in {"next", "error", "complete", "closed"}, (role, message)
            assert not (isinstance(payload, dict) and payload.get("data")), (role, message)

        resident_sub = unique("resident")
        private = {
            "name": "Zebedee Quartermaine",
            "line1": "17 Hidden Mews",
            "postcode": "EC1R 9ZZ",
            "email": "zebedee.quartermaine@private.example",
        }
        enrolled = gql.execute(
            ENROL,
            {
                "input": {
                    "groupId": programme.group_id,
                    "blockId": block.id,
                    "displayName": private["name"],
                    "address": {"line1": private["line1"], "postcode": private["postcode"]},
                    "channels": [
                        {
                            "channel": "EMAIL",
                            "address": private["email"],
                            "consentWording": "I agree to receive watch alerts by email.",
                        }
                    ],
                }
            },
            token=stack.token(org, ["resident"], sub=resident_sub),
        ).ok()["enrol"]
        assert enrolled["status"] == "PENDING"

        for role in home_tokens:
            event = enrolment_event(sockets[f"home-{role}"], enrolled["id"])
            assert event["orgId"] == org, role
            assert event["subject"] == programme.group_id, role
            assert event["data"]["groupId"] == programme.group_id
            assert event["data"]["blockId"] == block.id
            assert event["data"]["status"] == "pending"
            assert event["data"]["actor"] == resident_sub
            assert set(event["data"]) <= {"groupId", "actor", "memberId", "blockId", "status"}, event
            text = json.dumps(event).lower()
            for what, value in private.items():
                assert value.lower() not in text, f"the live event carries the {what}: {event}"
            for fragment in ("quartermaine", "hidden mews", "9zz", "@private.example"):
                assert fragment not in text, event

        deadline = time.monotonic() + QUIET_WAIT
        for role in away_tokens:
            leaked = delivered(sockets[f"away-{role}"], max(deadline - time.monotonic(), 0.05))
            assert leaked == [], f"another organisation's {role} received {leaked}"
    finally:
        for ws in sockets.values():
            ws.close()


@pytest.mark.parametrize("roles", [["captain"], ["member"], ["resident"]])
def test_a_refused_subscription_carries_its_code(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme, roles: list[str]
) -> None:
    """Another organisation's captain or member (NOT_FOUND: the group is not theirs to know of), or a
    resident of the same organisation with no relation to the group (FORBIDDEN), is refused with the
    API's error contract."""
    away = create_org(gql, stack, "watch-refused")
    org = programme.org.id if roles == ["resident"] else away.id
    token = stack.token(org, roles, sub=WATCH_CAPTAIN_2 if roles == ["captain"] else unique("person"))
    with open_subscription(stack, token, programme.group_id) as ws:
        message = first_message(ws, 10)
    assert message is not None and message["type"] in {"next", "error"}, message
    payload = message["payload"]
    errors = payload.get("errors") if isinstance(payload, dict) else payload
    assert errors, message
    assert not (isinstance(payload, dict) and payload.get("data")), message
    # Another organisation's group does not exist for the caller (as with watchGroup(id)); a resident of
    # the same organisation without a relation to the group is forbidden.
    expected = "FORBIDDEN" if roles == ["resident"] else "NOT_FOUND"
    assert {(e.get("extensions") or {}).get("code") for e in errors} == {expected}, errors
