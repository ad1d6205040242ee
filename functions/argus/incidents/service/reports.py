"""Reporting incidents and moving them through their lifecycle (reported → triaged → referred → closed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict

from argus.incidents import events
from argus.incidents.model import (
    TRANSITIONS,
    Description,
    EntryKind,
    Incident,
    IncidentStatus,
    Reason,
    ReportInput,
    RmsReference,
    Source,
    TimelineEntry,
)
from argus.incidents.service.access import (
    COVERAGE_REQUIRED,
    is_staff,
    require_manager,
    require_reader,
    require_reporter,
)
from argus.incidents.store import incidents as store
from argus.platform.auth.principal import Principal
from argus.platform.cloudevents import CloudEvent
from argus.platform.errors import BadUserInput
from argus.platform.ids import new_id
from argus.platform.outbox import UnitOfWork
from argus.platform.validation import DomainModel, validated

# Events name a generalised place: the H3 cell of this resolution (~0.74 km², see maps.py).
EVENT_CELL_RESOLUTION = 8


class _Transition(DomainModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class _Referral(_Transition):
    rms_reference: RmsReference


class _Note(DomainModel):
    model_config = ConfigDict(extra="forbid")

    text: Description


def place_cell(incident: Incident) -> str:
    from argus.geo import cell_for_point

    return cell_for_point(incident.location.lon, incident.location.lat, EVENT_CELL_RESOLUTION)


def event_time(event: CloudEvent) -> datetime:
    moment = event.get_time()
    assert moment is not None
    return moment


def creation_event(incident: Incident, event_type: str) -> CloudEvent:
    return events.incident_event(
        event_type,
        org_id=incident.org_id,
        incident_id=incident.id,
        actor=incident.reported_by,
        category=incident.category.value,
        status=incident.status.value,
        source=incident.source.value,
        groupId=incident.group_id,
        blockId=incident.block_id,
        cell=place_cell(incident),
    )


def created(
    draft: Incident,
    event_type: str,
    kind: EntryKind,
    *,
    reason: str | None,
    rms_reference: str | None,
) -> tuple[Incident, CloudEvent, TimelineEntry]:
    """A new incident stamped with its creation event's time, the event, and the first timeline entry."""
    event = creation_event(draft, event_type)
    moment = event_time(event)
    incident = draft.model_copy(update={"reported_at": moment, "updated_at": moment})
    entry = TimelineEntry(
        event_id=event.get_id(),
        incident_id=incident.id,
        kind=kind,
        at=moment,
        by=incident.reported_by,
        from_status=None,
        to_status=incident.status,
        reason=reason,
        rms_reference=rms_reference,
    )
    return incident, event, entry


def report(principal: Principal, report_input: dict[str, Any]) -> Incident:
    """Members, captains and staff report an incident. The covering watch group and block are
    resolved from the point; members and captains must report inside one of their organisation's
    groups (BAD_USER_INPUT, reason outside_coverage). Nothing is written for bad input."""
    from argus.watch.service.geography import locate

    require_reporter(principal)
    request = validated(ReportInput, report_input)
    coverage = locate(principal, request.location.lon, request.location.lat)
    if coverage.group is None and principal.has_any_role(*COVERAGE_REQUIRED) and not is_staff(principal):
        raise BadUserInput(
            "The location is outside every watch group of your organisation.",
            details={"field": "location", "reason": "outside_coverage"},
        )
    assert request.occurred_to is not None
    incident_id = new_id()
    draft = Incident(
        id=incident_id,
        org_id=principal.org_id,
        category=request.category,
        status=IncidentStatus.REPORTED,
        occurred_from=request.occurred_from,
        occurred_to=request.occurred_to,
        location=request.location,
        group_id=coverage.group.id if coverage.group else None,
        block_id=coverage.block.id if coverage.block else None,
        description=request.description,
        suspect=request.suspect,
        vehicle=request.vehicle,
        source=Source.REPORT,
        source_key=None,
        reported_by=principal.sub,
        reported_at=request.occurred_from,  # replaced by the event's time below
        rms_reference=None,
        updated_at=request.occurred_from,
        version=1,
    )
    incident, event, entry = created(
        draft, events.INCIDENT_REPORTED, EntryKind.REPORTED, reason=None, rms_reference=None
    )
    uow = UnitOfWork()
    store.add_incident(uow, incident, entry)
    uow.emit(event)
    uow.commit()
    return incident


def get_incident(principal: Principal, incident_id: str) -> Incident:
    """The incident, for its reporter and staff (NOT_FOUND in another organisation)."""
    incident = store.require_incident(principal.org_id, incident_id)
    require_reader(principal, incident)
    return incident


_EVENT_OF = {
    IncidentStatus.TRIAGED: events.INCIDENT_TRIAGED,
    IncidentStatus.REFERRED: events.INCIDENT_REFERRED,
    IncidentStatus.CLOSED: events.INCIDENT_CLOSED,
}


def _move(
    principal: Principal, incident_id: str, to: IncidentStatus, reason: str, rms_reference: str | None = None
) -> Incident:
    incident = store.require_incident(principal.org_id, incident_id)
    if to not in TRANSITIONS[incident.status]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[incident.status])) or "none (closed is final)"
        raise BadUserInput(
            f"A {incident.status.value} incident cannot become {to.value}; allowed: {allowed}.",
            details={"field": "status", "reason": "transition_not_allowed"},
        )
    event = events.incident_event(
        _EVENT_OF[to],
        org_id=incident.org_id,
        incident_id=incident.id,
        actor=principal.sub,
        category=incident.category.value,
        fromStatus=incident.status.value,
        toStatus=to.value,
    )
    moment = event_time(event)
    entry = TimelineEntry(
        event_id=event.get_id(),
        incident_id=incident.id,
        kind=EntryKind(to.value),
        at=moment,
        by=principal.sub,
        from_status=incident.status,
        to_status=to,
        reason=reason,
        rms_reference=rms_reference,
    )
    uow = UnitOfWork()
    store.change_status(uow, incident, entry)
    uow.emit(event)
    uow.commit()
    update: dict[str, Any] = {"status": to, "updated_at": moment, "version": incident.version + 1}
    if rms_reference is not None:
        update["rms_reference"] = rms_reference
    return incident.model_copy(update=update)


def triage(principal: Principal, incident_id: str, reason: str) -> Incident:
    require_manager(principal)
    request = validated(_Transition, {"reason": reason})
    return _move(principal, incident_id, IncidentStatus.TRIAGED, request.reason)


def refer(principal: Principal, incident_id: str, rms_reference: str, reason: str) -> Incident:
    """Refer a triaged incident to the police records management system under its reference."""
    require_manager(principal)
    request = validated(_Referral, {"reason": reason, "rms_reference": rms_reference})
    return _move(principal, incident_id, IncidentStatus.REFERRED, request.reason, request.rms_reference)


def close(principal: Principal, incident_id: str, reason: str) -> Incident:
    require_manager(principal)
    request = validated(_Transition, {"reason": reason})
    return _move(principal, incident_id, IncidentStatus.CLOSED, request.reason)


def add_note(principal: Principal, incident_id: str, text: str) -> TimelineEntry:
    """Officers and coordinators annotate the timeline (the note stays in the table, not the event)."""
    require_manager(principal)
    request = validated(_Note, {"text": text})
    incident = store.require_incident(principal.org_id, incident_id)
    event = events.incident_event(
        events.INCIDENT_NOTE_ADDED, org_id=incident.org_id, incident_id=incident.id, actor=principal.sub
    )
    entry = TimelineEntry(
        event_id=event.get_id(),
        incident_id=incident.id,
        kind=EntryKind.NOTE,
        at=event_time(event),
        by=principal.sub,
        from_status=None,
        to_status=None,
        reason=request.text,
        rms_reference=None,
    )
    uow = UnitOfWork()
    store.add_entry(uow, incident, entry)
    uow.emit(event)
    uow.commit()
    return entry
