"""Reporting incidents: location resolution against watch groups, bad input refused with nothing
written, the lifecycle and who may move it, and tenancy."""

from __future__ import annotations

from typing import Any

import pytest
from argus.incidents import events
from argus.incidents.model import IncidentStatus
from argus.incidents.service import reports, timeline
from argus.platform import clock
from argus.platform.errors import BadUserInput, Forbidden, NotFound

from tests.factories.principals import OTHER_ORG
from tests.fakes.aws import ArgusAws
from tests.integration.incidents.support import (
    OUTSIDE,
    analyst,
    captain,
    in_block,
    indexed_group,
    member,
    officer,
    report_input,
    uncovered_point,
)
from tests.integration.watch.support import outbox_events, resident, snapshot


def test_a_member_reports_inside_a_block(aws: ArgusAws, fixed_clock: clock.FixedClock) -> None:
    # Given an indexed watch group with blocks
    group, blocks = indexed_group(aws)
    # When a member reports a burglary inside the second block
    incident = reports.report(member(), report_input(*in_block(blocks[1])))
    # Then the incident is in that group and block, reported, by the member
    assert (incident.group_id, incident.block_id) == (group.id, blocks[1].id)
    assert incident.status == IncidentStatus.REPORTED
    assert incident.reported_by == "member-mensah"
    assert reports.get_incident(member(), incident.id) == incident
    # And one event carries ids, the category and a generalised place, never the free text
    [event] = outbox_events(aws, events.INCIDENT_REPORTED)
    assert event["subject"] == incident.id
    assert event["data"]["groupId"] == group.id and event["data"]["blockId"] == blocks[1].id
    assert event["data"]["cell"].startswith("88")
    text = str(event)
    assert "laptop" not in text and "hoodie" not in text and str(incident.location.lon) not in text
    # And the timeline starts with the report, whose id is the event's
    [entry] = timeline.timeline(member(), incident.id, None, None).items
    assert entry.event_id == event["id"] and entry.to_status == IncidentStatus.REPORTED


def test_a_captain_reports_inside_the_group_but_outside_every_block(aws: ArgusAws) -> None:
    group, _ = indexed_group(aws)
    incident = reports.report(captain(), report_input(*uncovered_point()))
    assert incident.group_id == group.id and incident.block_id is None


@pytest.mark.parametrize("who", [member, captain])
def test_members_and_captains_cannot_report_outside_coverage(aws: ArgusAws, who: Any) -> None:
    indexed_group(aws)
    before = snapshot(aws)
    with pytest.raises(BadUserInput) as refused:
        reports.report(who(), report_input(*OUTSIDE))
    assert refused.value.details["reason"] == "outside_coverage"
    assert snapshot(aws) == before


def test_an_officer_may_report_anywhere(aws: ArgusAws) -> None:
    indexed_group(aws)
    incident = reports.report(officer(), report_input(*OUTSIDE))
    assert incident.group_id is None and incident.block_id is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"location": {"type": "Point", "coordinates": [-0.1, 91.0]}}, "location.coordinates"),
        ({"location": {"type": "Point", "coordinates": [181.0, 51.5]}}, "location.coordinates"),
        ({"location": {"type": "LineString", "coordinates": [-0.1, 51.5]}}, "location.type"),
        ({"occurred_from": "2026-03-03T10:00:00Z", "occurred_to": "2026-03-03T11:00:00Z"}, "input"),
        ({"occurred_from": "2026-03-02T07:00:00Z", "occurred_to": "2026-03-01T22:00:00Z"}, "input"),
        ({"category": "jaywalking"}, "category"),
        ({"description": "   "}, "description"),
    ],
    ids=["latitude", "longitude", "not-a-point", "future", "from-after-to", "unknown-category", "empty-text"],
)
def test_bad_reports_are_refused_and_write_nothing(
    aws: ArgusAws, fixed_clock: clock.FixedClock, overrides: dict[str, Any], field: str
) -> None:
    # Given a group, and the table as it is
    _, blocks = indexed_group(aws)
    before = snapshot(aws)
    # When a member sends a bad report
    with pytest.raises(BadUserInput) as refused:
        reports.report(member(), report_input(*in_block(blocks[0]), **overrides))
    # Then the error names the field, and nothing was written
    assert field in refused.value.details["fields"]
    assert snapshot(aws) == before


def test_a_small_clock_skew_is_allowed(aws: ArgusAws, fixed_clock: clock.FixedClock) -> None:
    _, blocks = indexed_group(aws)
    soon = "2026-03-02T18:33:00Z"  # three minutes ahead of the server
    incident = reports.report(
        member(), report_input(*in_block(blocks[0]), occurred_from=soon, occurred_to=soon)
    )
    assert incident.occurred_to.isoformat().startswith("2026-03-02T18:33")


@pytest.mark.parametrize("who", [resident, analyst])
def test_residents_and_analysts_do_not_report(aws: ArgusAws, who: Any) -> None:
    _, blocks = indexed_group(aws)
    with pytest.raises(Forbidden):
        reports.report(who(), report_input(*in_block(blocks[0])))


def test_the_lifecycle_is_on_the_timeline(aws: ArgusAws, fixed_clock: clock.FixedClock) -> None:
    # Given a reported incident
    _, blocks = indexed_group(aws)
    incident = reports.report(member(), report_input(*in_block(blocks[0])))
    # When an officer triages, refers and closes it, an hour apart
    fixed_clock.advance(hours=1)
    reports.triage(officer(), incident.id, "Forced entry confirmed")
    fixed_clock.advance(hours=1)
    referred = reports.refer(officer(), incident.id, "CAD/2026/0042", "Passed to CID")
    fixed_clock.advance(hours=1)
    closed = reports.close(officer(), incident.id, "Suspect charged")
    # Then the incident carries the reference and is closed
    assert referred.rms_reference == "CAD/2026/0042"
    assert closed.status == IncidentStatus.CLOSED
    assert reports.get_incident(officer(), incident.id).status == IncidentStatus.CLOSED
    # And the timeline shows each change: who, when, from what, to what, why
    entries = timeline.timeline(member(), incident.id, None, None).items
    assert [(e.from_status, e.to_status, e.by, e.reason) for e in entries] == [
        (None, IncidentStatus.REPORTED, "member-mensah", None),
        (IncidentStatus.REPORTED, IncidentStatus.TRIAGED, "officer-okafor", "Forced entry confirmed"),
        (IncidentStatus.TRIAGED, IncidentStatus.REFERRED, "officer-okafor", "Passed to CID"),
        (IncidentStatus.REFERRED, IncidentStatus.CLOSED, "officer-okafor", "Suspect charged"),
    ]
    assert [e.at.hour for e in entries] == [18, 19, 20, 21]
    assert entries[2].rms_reference == "CAD/2026/0042"
    # And each change is one event, in order, without the reasons or the reference
    documents = outbox_events(aws)
    incident_events = [d for d in documents if d["type"].startswith("org.argus.incident.")]
    assert [d["type"] for d in incident_events] == [
        events.INCIDENT_REPORTED,
        events.INCIDENT_TRIAGED,
        events.INCIDENT_REFERRED,
        events.INCIDENT_CLOSED,
    ]
    assert [d["id"] for d in incident_events] == [e.event_id for e in entries]
    assert "CAD/2026" not in str(incident_events) and "charged" not in str(incident_events)


def test_referral_needs_the_rms_reference_and_a_triaged_incident(aws: ArgusAws) -> None:
    _, blocks = indexed_group(aws)
    incident = reports.report(member(), report_input(*in_block(blocks[0])))
    before = snapshot(aws)
    # Not yet triaged
    with pytest.raises(BadUserInput) as early:
        reports.refer(officer(), incident.id, "CAD/2026/0042", "Passed on")
    assert early.value.details["reason"] == "transition_not_allowed"
    reports.triage(officer(), incident.id, "Checked")
    before = snapshot(aws)
    # No reference
    with pytest.raises(BadUserInput) as missing:
        reports.refer(officer(), incident.id, "", "Passed on")
    assert "rmsReference" in missing.value.details["fields"]
    assert snapshot(aws) == before


def test_closed_is_final(aws: ArgusAws) -> None:
    _, blocks = indexed_group(aws)
    incident = reports.report(member(), report_input(*in_block(blocks[0])))
    reports.close(officer(), incident.id, "Duplicate of an earlier report")
    with pytest.raises(BadUserInput):
        reports.triage(officer(), incident.id, "Reopen")


@pytest.mark.parametrize("who", [member, captain, analyst])
def test_only_officers_and_coordinators_move_incidents(aws: ArgusAws, who: Any) -> None:
    _, blocks = indexed_group(aws)
    incident = reports.report(member(), report_input(*in_block(blocks[0])))
    before = snapshot(aws)
    with pytest.raises(Forbidden):
        reports.triage(who(), incident.id, "Looks real")
    with pytest.raises(Forbidden):
        reports.close(who(), incident.id, "Nothing to do")
    assert snapshot(aws) == before


def test_other_members_cannot_read_someone_elses_report(aws: ArgusAws) -> None:
    _, blocks = indexed_group(aws)
    incident = reports.report(member(), report_input(*in_block(blocks[0])))
    with pytest.raises(Forbidden):
        reports.get_incident(member("member-other"), incident.id)
    with pytest.raises(Forbidden):
        timeline.timeline(member("member-other"), incident.id, None, None)
    assert reports.get_incident(analyst(), incident.id).id == incident.id


def test_another_organisation_can_neither_read_nor_change(aws: ArgusAws) -> None:
    # Given an incident of northshire
    _, blocks = indexed_group(aws)
    incident = reports.report(member(), report_input(*in_block(blocks[0])))
    before = snapshot(aws)
    stranger = officer(org=OTHER_ORG)
    # Then an officer of southvale finds nothing and changes nothing
    with pytest.raises(NotFound):
        reports.get_incident(stranger, incident.id)
    with pytest.raises(NotFound):
        timeline.timeline(stranger, incident.id, None, None)
    with pytest.raises(NotFound):
        reports.triage(stranger, incident.id, "Mine now")
    with pytest.raises(NotFound):
        reports.add_note(stranger, incident.id, "Hello")
    assert snapshot(aws) == before
    # And a member of southvale cannot report into northshire's group
    with pytest.raises(BadUserInput) as refused:
        reports.report(member(org=OTHER_ORG), report_input(*in_block(blocks[0])))
    assert refused.value.details["reason"] == "outside_coverage"
