"""Incidents, their timelines and import keys in the single table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from argus.incidents.model import EntryKind, Incident, IncidentStatus, Point, Source, TimelineEntry
from argus.incidents.store.items import ImportKeyItem, IncidentItem, TimelineItem
from argus.incidents.taxonomy import Category
from argus.platform import clock
from argus.platform.errors import Conflict, NotFound
from argus.platform.keys import incidents as keys
from argus.platform.models import ArgusItem
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page, decode_cursor, encode_cursor


def month_of(moment: datetime) -> str:
    return clock.iso(moment)[:7]


def months_between(start: datetime, end: datetime) -> list[str]:
    """``YYYY-MM`` of every month from ``start``'s to ``end``'s (the GSI1 partitions of a time range)."""
    months: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def incident_from_item(item: IncidentItem) -> Incident:
    return Incident(
        id=item.incident_id,
        org_id=item.org_id,
        category=Category(item.category),
        status=IncidentStatus(item.status),
        occurred_from=item.occurred_from,
        occurred_to=item.occurred_to,
        location=Point(type="Point", coordinates=[float(item.lon), float(item.lat)]),
        group_id=item.group_id,
        block_id=item.block_id,
        description=item.description,
        suspect=item.suspect,
        vehicle=item.vehicle,
        source=Source(item.source),
        source_key=item.source_key,
        reported_by=item.reported_by,
        reported_at=item.reported_at,
        rms_reference=item.rms_reference,
        updated_at=item.updated_at,
        version=int(item.version),
    )


def entry_from_item(item: TimelineItem) -> TimelineEntry:
    return TimelineEntry(
        event_id=item.event_id,
        incident_id=item.incident_id,
        kind=EntryKind(item.entry_kind),
        at=item.at,
        by=item.by,
        from_status=IncidentStatus(item.from_status) if item.from_status else None,
        to_status=IncidentStatus(item.to_status) if item.to_status else None,
        reason=item.reason,
        rms_reference=item.rms_reference,
    )


def _timeline_item(org_id: str, entry: TimelineEntry) -> TimelineItem:
    return TimelineItem(
        PK=keys.incident_pk(org_id, entry.incident_id),
        SK=keys.timeline_sk(clock.iso(entry.at), entry.event_id),
        event_id=entry.event_id,
        incident_id=entry.incident_id,
        entry_kind=entry.kind.value,
        at=entry.at,
        by=entry.by,
        from_status=entry.from_status.value if entry.from_status else None,
        to_status=entry.to_status.value if entry.to_status else None,
        reason=entry.reason,
        rms_reference=entry.rms_reference,
    )


def add_incident(uow: UnitOfWork, incident: Incident, first_entry: TimelineEntry) -> None:
    """The incident, listed under the month it occurred in, and its first timeline entry."""
    uow.put(
        IncidentItem(
            PK=keys.incident_pk(incident.org_id, incident.id),
            SK=keys.INCIDENT_SK,
            GSI1PK=keys.incidents_by_month_pk(incident.org_id, month_of(incident.occurred_from)),
            GSI1SK=keys.incidents_by_month_sk(clock.iso(incident.occurred_from), incident.id),
            incident_id=incident.id,
            org_id=incident.org_id,
            category=incident.category.value,
            status=incident.status.value,
            occurred_from=incident.occurred_from,
            occurred_to=incident.occurred_to,
            lon=incident.location.lon,
            lat=incident.location.lat,
            group_id=incident.group_id,
            block_id=incident.block_id,
            description=incident.description,
            suspect=incident.suspect,
            vehicle=incident.vehicle,
            source=incident.source.value,
            source_key=incident.source_key,
            reported_by=incident.reported_by,
            reported_at=incident.reported_at,
            rms_reference=incident.rms_reference,
            updated_at=incident.updated_at,
            version=incident.version,
        ),
        condition=IncidentItem.PK.does_not_exist(),
    )
    uow.put(_timeline_item(incident.org_id, first_entry), condition=TimelineItem.PK.does_not_exist())


def reserve_import_key(
    uow: UnitOfWork, org_id: str, source: Source, source_key: str, incident_id: str
) -> None:
    """Fails the unit of work with a Conflict when the source record was imported before."""
    uow.put(
        ImportKeyItem(
            PK=keys.import_key_pk(org_id, source.value, source_key),
            SK=keys.IMPORT_KEY_SK,
            source=source.value,
            source_key=source_key,
            incident_id=incident_id,
            imported_at=clock.now(),
        ),
        condition=ImportKeyItem.PK.does_not_exist(),
        on_condition_failed=Conflict("This record was imported before.", details={"reason": "duplicate"}),
    )


def imported_keys(org_id: str, source: Source, source_keys: list[str]) -> set[str]:
    """Which of ``source_keys`` were imported before (batch reads, 100 keys per request)."""
    wanted = [
        (keys.import_key_pk(org_id, source.value, k), keys.IMPORT_KEY_SK) for k in dict.fromkeys(source_keys)
    ]
    return {item.source_key for item in ImportKeyItem.batch_get(wanted)}


def change_status(uow: UnitOfWork, incident: Incident, entry: TimelineEntry) -> None:
    """Move the incident to ``entry.to_status`` if nobody changed it since it was read."""
    assert entry.to_status is not None
    actions = [
        IncidentItem.status.set(entry.to_status.value),
        IncidentItem.updated_at.set(entry.at),
        IncidentItem.version.add(1),
    ]
    if entry.rms_reference is not None:
        actions.append(IncidentItem.rms_reference.set(entry.rms_reference))
    uow.update(
        IncidentItem(PK=keys.incident_pk(incident.org_id, incident.id), SK=keys.INCIDENT_SK),
        actions,
        condition=(IncidentItem.version == incident.version) & (IncidentItem.status == incident.status.value),
        on_condition_failed=Conflict("The incident was changed by someone else; reload and retry."),
    )
    uow.put(_timeline_item(incident.org_id, entry), condition=TimelineItem.PK.does_not_exist())


def add_entry(uow: UnitOfWork, incident: Incident, entry: TimelineEntry) -> None:
    """A timeline entry that changes no status (a note); the incident must still exist."""
    uow.condition_check(
        IncidentItem,
        keys.incident_pk(incident.org_id, incident.id),
        keys.INCIDENT_SK,
        IncidentItem.PK.exists(),
        NotFound("No such incident.", details={"field": "incidentId"}),
    )
    uow.put(_timeline_item(incident.org_id, entry), condition=TimelineItem.PK.does_not_exist())


def get_incident(org_id: str, incident_id: str) -> Incident | None:
    try:
        return incident_from_item(IncidentItem.get(keys.incident_pk(org_id, incident_id), keys.INCIDENT_SK))
    except IncidentItem.DoesNotExist:
        return None


def require_incident(org_id: str, incident_id: str) -> Incident:
    incident = get_incident(org_id, incident_id)
    if incident is None:
        raise NotFound("No such incident.", details={"field": "incidentId"})
    return incident


def timeline_page(org_id: str, incident_id: str, first: int, after: str | None) -> Page[TimelineEntry]:
    """One Query: ``first`` entries in time order after the cursor. One more is asked for, so that
    ``has_next_page`` is exact; the cursor is the key of the last entry returned."""
    pk = keys.incident_pk(org_id, incident_id)
    start = decode_cursor(after, partition_attr="PK", partition_value=pk)
    results = list(
        TimelineItem.query(
            pk,
            TimelineItem.SK.startswith(keys.TIMELINE_PREFIX),
            limit=first + 1,
            last_evaluated_key=start,
            page_size=first + 1,
        )
    )
    page = results[:first]
    more = len(results) > first
    cursor = encode_cursor({"PK": {"S": pk}, "SK": {"S": page[-1].SK}}) if page and more else None
    return Page([entry_from_item(i) for i in page], cursor, more)


def get_entry(org_id: str, incident_id: str, at: datetime, event_id: str) -> TimelineEntry | None:
    try:
        item = TimelineItem.get(
            keys.incident_pk(org_id, incident_id), keys.timeline_sk(clock.iso(at), event_id)
        )
    except TimelineItem.DoesNotExist:
        return None
    return entry_from_item(item)


def _items_in_month(org_id: str, month: str, start_iso: str, end_iso: str) -> Iterator[IncidentItem]:
    pk = keys.incidents_by_month_pk(org_id, month)
    for item in ArgusItem.gsi1.query(pk, ArgusItem.GSI1SK.between(start_iso, end_iso + "~")):
        if isinstance(item, IncidentItem):
            yield item


def incidents_in_month(org_id: str, month: str, start_iso: str, end_iso: str) -> Iterator[Incident]:
    """Incidents that began in ``month`` between the two ISO times (inclusive), in time order."""
    for item in _items_in_month(org_id, month, start_iso, end_iso):
        yield incident_from_item(item)


def incident_points_in_month(
    org_id: str, month: str, start_iso: str, end_iso: str
) -> Iterator[tuple[float, float, datetime, str]]:
    """``(lat, lon, occurred_from, category)`` of the incidents that began in ``month`` between the two ISO
    times (inclusive): what the pattern statistics need, without building whole incidents."""
    for item in _items_in_month(org_id, month, start_iso, end_iso):
        yield float(item.lat), float(item.lon), item.occurred_from, item.category
