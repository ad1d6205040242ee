"""Live subscriptions end when the subscriber may no longer have them: at the token's expiry (also when
no event comes), and when the relation to what they follow ends (a member leaves or is removed, a
captain is replaced) — the next event is not delivered. In process, with the services on moto."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from argus.api.context import ArgusContext
from argus.api.graphql import schema
from argus.api.live import get_broker
from argus.incidents.service import reports
from argus.platform import clock
from argus.platform.auth.principal import Principal, Role
from argus.platform.cloudevents import CloudEvent
from argus.watch import events
from argus.watch.model import Block, WatchGroup
from argus.watch.service import captains, members
from strawberry.types import ExecutionResult

from tests.factories.events import cloudevent
from tests.factories.principals import ORG, principal
from tests.fakes.aws import ArgusAws
from tests.integration.access_cases import outbox_event
from tests.integration.incidents.support import in_block, indexed_group, report_input
from tests.integration.watch.support import (
    CAPTAIN_SUB,
    add_blocks,
    captain,
    counting_dynamodb_requests,
    enrolment,
    move,
    officer,
    propose,
)

ORGANISATION_EVENTS = "subscription { organisationEvents { type } }"
GROUP_ACTIVITY = "subscription($g: ID!) { watchGroupActivity(groupId: $g) { type data } }"
TIMELINE = "subscription($i: ID!) { incidentTimeline(incidentId: $i) { kind } }"
LIFETIME = 2.0  # seconds a short-lived token lives: long enough to subscribe on a loaded machine
ON_TIME = 0.5  # seconds after its expiry within which the subscription must have ended


@pytest.fixture(autouse=True)
def local_stack_moto(moto_as_in_the_local_stack: None) -> None:
    """DynamoDB as the local stack's moto behaves (tests/integration/conftest.py)."""


def short_lived(who: Principal, seconds: float = LIFETIME) -> Principal:
    return replace(who, expires_at=clock.now() + timedelta(seconds=seconds))


class Live:
    """One subscription, in process: its results as they come."""

    def __init__(self, stream: AsyncGenerator[ExecutionResult, None]) -> None:
        self.stream = stream

    @classmethod
    async def start(cls, document: str, who: Principal, variables: dict[str, Any] | None = None) -> Live:
        stream = await schema.subscribe(
            document, variable_values=variables, context_value=ArgusContext(principal=who)
        )
        assert not isinstance(stream, ExecutionResult), stream.errors
        live = cls(stream)
        broker, already = get_broker(), get_broker().subscriber_count
        live.pending = asyncio.ensure_future(anext(stream))
        for _ in range(200):  # until it listens
            if live.pending.done() or broker.subscriber_count > already:
                break
            await asyncio.sleep(0.005)
        assert not live.pending.done(), live.pending.result()
        return live

    async def next(self, timeout: float = 5.0) -> ExecutionResult | None:
        """The next result (None: none within ``timeout``; the stream ended: StopAsyncIteration)."""
        done, _ = await asyncio.wait({self.pending}, timeout=timeout)
        if not done:
            return None
        result = self.pending.result()
        self.pending = asyncio.ensure_future(anext(self.stream))
        return result

    async def close(self) -> None:
        self.pending.cancel()
        await asyncio.gather(self.pending, return_exceptions=True)
        await self.stream.aclose()


def codes(result: ExecutionResult | None) -> list[tuple[str, str | None]]:
    assert result is not None
    return [
        (str((e.extensions or {}).get("code")), ((e.extensions or {}).get("details") or {}).get("reason"))
        for e in result.errors or []
    ]


async def ended(live: Live) -> bool:
    """The stream has finished after its last result."""
    try:
        await asyncio.wait_for(live.pending, timeout=2)
    except StopAsyncIteration:
        return True
    return False


def activity(group_id: str) -> CloudEvent:
    return events.watch_event(events.ACTIVITY_LOGGED, org_id=ORG, group_id=group_id, actor=CAPTAIN_SUB)


def member_of_a_group() -> tuple[WatchGroup, Block, Principal]:
    """A registered group with a captained block and an approved member with an account."""
    group = propose()
    move(group, "registered")
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    member = principal(Role.MEMBER, sub="member-amara")
    members.add_member(officer(), enrolment(group, block, "Amara Okafor", 12), member.sub)
    return group, block, member


# --- the token expires -------------------------------------------------------------------------------


async def expires_on_time(live: Live, who: Principal) -> None:
    assert who.expires_at is not None
    # When nothing is published, Then the subscription ends with UNAUTHENTICATED on time
    result = await live.next(timeout=LIFETIME + ON_TIME + 1)
    late = (clock.now() - who.expires_at).total_seconds()
    assert result is not None, "the subscription outlived its token"
    assert result.data is None
    assert codes(result) == [("UNAUTHENTICATED", "token_expired")]
    assert -0.05 <= late <= ON_TIME, f"ended {late:.2f} s after the token's expiry"
    assert await ended(live)


async def test_organisation_events_end_when_the_token_expires(aws: ArgusAws) -> None:
    # Given a resident whose token expires in a moment, subscribed to organisation events
    who = short_lived(principal(Role.RESIDENT, sub="resident-1"))
    live = await Live.start(ORGANISATION_EVENTS, who)
    # And an event delivered while the token is valid
    get_broker().publish(cloudevent())
    first = await live.next()
    assert first is not None and first.errors is None
    await expires_on_time(live, who)
    await live.close()


async def test_group_activity_ends_when_the_token_expires(aws: ArgusAws) -> None:
    group, _, member = member_of_a_group()
    who = short_lived(member)
    live = await Live.start(GROUP_ACTIVITY, who, {"g": group.id})
    await expires_on_time(live, who)
    await live.close()


async def test_the_incident_timeline_ends_when_the_token_expires(aws: ArgusAws) -> None:
    _, blocks = indexed_group(aws)
    reporter = principal(Role.MEMBER, sub="member-mensah")
    incident = reports.report(reporter, report_input(*in_block(blocks[0])))
    who = short_lived(reporter)
    live = await Live.start(TIMELINE, who, {"i": incident.id})
    await expires_on_time(live, who)
    await live.close()


async def test_an_event_that_arrives_after_expiry_is_not_delivered(aws: ArgusAws) -> None:
    # Given a subscription whose token has just expired (the timer has not fired yet)
    who = short_lived(principal(Role.OFFICER, sub="officer-1"), seconds=0.3)
    live = await Live.start(ORGANISATION_EVENTS, who)
    time.sleep(0.35)  # the loop is blocked: the event is queued after expiry
    get_broker().publish(cloudevent())
    # Then what comes is the end, never the event
    result = await live.next()
    assert codes(result) == [("UNAUTHENTICATED", "token_expired")]
    await live.close()


async def test_operations_on_a_connection_whose_token_expired_are_refused(aws: ArgusAws) -> None:
    # Given a principal a connection keeps after its token expired (past the verifier's leeway too)
    gone = replace(principal(Role.ADMIN), expires_at=clock.now() - timedelta(minutes=5))
    # Then a query and a new subscription sent on it are refused as unauthenticated
    query = await schema.execute("query { me { sub } }", context_value=ArgusContext(principal=gone))
    assert [e.extensions for e in query.errors or []] == [{"code": "UNAUTHENTICATED"}]
    stream = await schema.subscribe(ORGANISATION_EVENTS, context_value=ArgusContext(principal=gone))
    assert not isinstance(stream, ExecutionResult)
    first = await asyncio.wait_for(anext(stream), timeout=5)
    await stream.aclose()
    assert [e.extensions for e in first.errors or []] == [{"code": "UNAUTHENTICATED"}]


# --- the relation ends -----------------------------------------------------------------------------


async def test_a_member_who_leaves_stops_receiving(aws: ArgusAws) -> None:
    # Given an approved member following their group
    group, _, member = member_of_a_group()
    live = await Live.start(GROUP_ACTIVITY, member, {"g": group.id})
    get_broker().publish(activity(group.id))
    first = await live.next()
    assert first is not None and first.errors is None
    # When they leave the group
    members.leave(member, group.id)
    # Then the next event is not delivered: the subscription ends with FORBIDDEN
    get_broker().publish(activity(group.id))
    result = await live.next()
    assert result is not None and result.data is None
    assert codes(result) == [("FORBIDDEN", "relation_ended")]
    assert await ended(live)
    await live.close()


async def test_a_removed_member_stops_receiving(aws: ArgusAws) -> None:
    group, block, member = member_of_a_group()
    [mine] = members.my_memberships(member)
    live = await Live.start(GROUP_ACTIVITY, member, {"g": group.id})
    # When the block's captain removes them
    members.remove(captain(), group.id, block.id, mine.id)
    get_broker().publish(activity(group.id))
    # Then nothing more reaches them
    assert codes(await live.next()) == [("FORBIDDEN", "relation_ended")]
    await live.close()


async def test_a_replaced_captain_stops_receiving(aws: ArgusAws) -> None:
    # Given the block's captain following the group
    group = propose()
    move(group, "registered")
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    live = await Live.start(GROUP_ACTIVITY, captain(), {"g": group.id})
    get_broker().publish(activity(group.id))
    assert (await live.next()).errors is None  # type: ignore[union-attr]
    # When an officer gives the block to another captain
    captains.assign_captain(officer(), group.id, block.id, "captain-novak")
    get_broker().publish(activity(group.id))
    # Then the former captain receives nothing more
    assert codes(await live.next()) == [("FORBIDDEN", "relation_ended")]
    await live.close()


async def test_the_relation_check_costs_one_query_per_event_for_a_member(aws: ArgusAws) -> None:
    # Given a member and an officer following the same group
    group, _, member = member_of_a_group()
    following = [await Live.start(GROUP_ACTIVITY, who, {"g": group.id}) for who in (member, officer())]
    # When one event is delivered to both
    with counting_dynamodb_requests() as requests:
        get_broker().publish(activity(group.id))
        results = [await live.next() for live in following]
    # Then both get it, for one Query of the member's memberships (staff: nothing is read)
    assert all(r is not None and r.errors is None for r in results)
    assert requests.operations == ["Query"]
    for live in following:
        await live.close()


async def test_the_incident_timeline_rechecks_before_each_entry(aws: ArgusAws) -> None:
    # Given the reporter following their incident's timeline
    _, blocks = indexed_group(aws)
    reporter = principal(Role.MEMBER, sub="member-mensah")
    incident = reports.report(reporter, report_input(*in_block(blocks[0])))
    live = await Live.start(TIMELINE, reporter, {"i": incident.id})
    # When an officer adds a note and its event is delivered
    entry = reports.add_note(officer(), incident.id, "Called back")
    delivered = outbox_event(entry.event_id)
    with counting_dynamodb_requests() as requests:
        get_broker().publish(delivered)
        result = await live.next()
    # Then the entry arrives, after one read for the relation and one for the entry
    assert result is not None and result.errors is None
    assert result.data == {"incidentTimeline": {"kind": "NOTE"}}
    assert requests.operations == ["GetItem", "GetItem"]
    await live.close()
