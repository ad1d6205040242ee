"""The timeline: in order, paginated, one DynamoDB Query per page (200 entries included), and live."""

from __future__ import annotations

import asyncio

import pytest
from argus.api.context import ArgusContext
from argus.api.live import get_broker
from argus.incidents.schema import Subscription
from argus.incidents.service import reports, timeline
from argus.platform import clock
from argus.platform.cloudevents import parse_event
from argus.platform.errors import BadUserInput, Forbidden
from strawberry import Schema

from tests.fakes.aws import ArgusAws
from tests.integration.incidents.schema_support import schema_with
from tests.integration.incidents.support import in_block, indexed_group, member, officer, report_input
from tests.integration.watch.support import counting_dynamodb_requests, outbox_events


def test_200_entries_are_one_request_per_page(aws: ArgusAws, fixed_clock: clock.FixedClock) -> None:
    # Given an incident with 1 report and 249 notes, a second apart
    _, blocks = indexed_group(aws)
    incident = reports.report(member(), report_input(*in_block(blocks[0])))
    for n in range(249):
        fixed_clock.advance(seconds=1)
        reports.add_note(officer(), incident.id, f"Note {n}")
    # When staff read the timeline 200 at a time
    with counting_dynamodb_requests() as requests:
        first = store_page(incident.id, 200, None)
        first_requests = [op for op in requests.operations if op == "Query"]
    # Then the first page is 200 entries in time order from one Query, and says there is more
    assert len(first.items) == 200 and first.has_next_page
    assert first_requests == ["Query"]
    ats = [e.at for e in first.items]
    assert ats == sorted(ats) and first.items[0].kind.value == "reported"
    # And the second page is the other 50, then nothing
    with counting_dynamodb_requests() as requests:
        second = store_page(incident.id, 200, first.end_cursor)
        assert [op for op in requests.operations if op == "Query"] == ["Query"]
    assert len(second.items) == 50 and not second.has_next_page and second.end_cursor is None
    assert [e.reason for e in second.items][-1] == "Note 248"
    assert {e.event_id for e in first.items}.isdisjoint({e.event_id for e in second.items})


def store_page(incident_id: str, first: int, after: str | None):  # type: ignore[no-untyped-def]
    from argus.incidents.store import incidents as store

    return store.timeline_page("northshire", incident_id, first, after)


def test_the_service_pages_in_order_and_checks_cursors(aws: ArgusAws, fixed_clock: clock.FixedClock) -> None:
    _, blocks = indexed_group(aws)
    incident = reports.report(member(), report_input(*in_block(blocks[0])))
    other = reports.report(member(), report_input(*in_block(blocks[0])))
    for n in range(4):
        fixed_clock.advance(seconds=1)
        reports.add_note(officer(), incident.id, f"Note {n}")
    seen, cursor = [], None
    while True:
        page = timeline.timeline(member(), incident.id, 2, cursor)
        seen += [e.reason for e in page.items]
        if not page.has_next_page:
            break
        cursor = page.end_cursor
    assert seen == [None, "Note 0", "Note 1", "Note 2", "Note 3"]
    # A cursor of another incident's timeline is refused
    foreign = timeline.timeline(member(), other.id, 1, None)
    reports.add_note(officer(), other.id, "More")
    foreign = timeline.timeline(member(), other.id, 1, None)
    with pytest.raises(BadUserInput):
        timeline.timeline(member(), incident.id, 1, foreign.end_cursor)
    with pytest.raises(BadUserInput):
        timeline.timeline(member(), incident.id, 201, None)


def test_new_entries_arrive_live_for_the_reporter(aws: ArgusAws) -> None:
    # Given a reported incident and its reporter subscribed to its timeline
    _, blocks = indexed_group(aws)
    incident = reports.report(member(), report_input(*in_block(blocks[0])))
    schema = schema_with(subscription=Subscription)

    async def scenario() -> list[dict]:
        context = ArgusContext(principal=member())
        stream = await schema.subscribe(
            "subscription($id: ID!) { incidentTimeline(incidentId: $id) { kind by toStatus reason } }",
            variable_values={"id": incident.id},
            context_value=context,
        )
        already = get_broker().subscriber_count
        received = asyncio.ensure_future(stream.__anext__())  # type: ignore[union-attr]
        while get_broker().subscriber_count <= already:
            await asyncio.sleep(0.01)
        # When an officer triages it and the relay delivers the event
        reports.triage(officer(), incident.id, "Forced entry confirmed")
        [document] = [d for d in outbox_events(aws) if d["type"].endswith("triaged.v1")]
        get_broker().publish(parse_event(document))
        result = await asyncio.wait_for(received, 5)
        await stream.aclose()  # type: ignore[union-attr]
        assert result.errors is None
        return [result.data["incidentTimeline"]]

    # Then the new entry arrives, with who and why
    assert asyncio.run(scenario()) == [
        {"kind": "TRIAGED", "by": "officer-okafor", "toStatus": "TRIAGED", "reason": "Forced entry confirmed"}
    ]


def test_others_cannot_subscribe(aws: ArgusAws) -> None:
    _, blocks = indexed_group(aws)
    incident = reports.report(member(), report_input(*in_block(blocks[0])))
    schema: Schema = schema_with(subscription=Subscription)

    async def scenario() -> list[dict]:
        stream = await schema.subscribe(
            "subscription($id: ID!) { incidentTimeline(incidentId: $id) { kind } }",
            variable_values={"id": incident.id},
            context_value=ArgusContext(principal=member("member-other")),
        )
        result = await stream.__anext__()  # type: ignore[union-attr]
        return [e.extensions for e in result.errors or []]

    assert asyncio.run(scenario()) == [{"code": Forbidden.code}]
