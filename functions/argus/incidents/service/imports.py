"""Imports of police records from CSV text: the data.police.uk street-crime download and the City of
Chicago crimes extract. Each row is validated on its own and reported (imported, duplicate, rejected
with a reason); a wrong header refuses the whole file. Each imported row is one transaction (the
incident, its first timeline entry, its import key and its event), and the import key's conditional
put makes importing the same file again a no-op."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from argus.incidents import events
from argus.incidents.model import (
    EntryKind,
    Incident,
    IncidentStatus,
    Point,
    Source,
    check_window,
)
from argus.incidents.service.access import require_manager
from argus.incidents.service.reports import created
from argus.incidents.store import incidents as store
from argus.incidents.taxonomy import Category, from_chicago, from_police_uk
from argus.platform.auth.principal import Principal
from argus.platform.errors import BadUserInput, Conflict
from argus.platform.ids import new_id
from argus.platform.outbox import UnitOfWork

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024

POLICE_UK_HEADER = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
# The City of Chicago "Crimes - 2001 to Present" columns; an extract may hold a subset that includes
# a record id ("ID" or "Case Number") and the required columns.
CHICAGO_COLUMNS = frozenset(
    {
        "ID", "Case Number", "Date", "Block", "IUCR", "Primary Type", "Description", "Location Description",
        "Arrest", "Domestic", "Beat", "District", "Ward", "Community Area", "FBI Code", "X Coordinate",
        "Y Coordinate", "Year", "Updated On", "Latitude", "Longitude", "Location",
    }
)  # fmt: skip
CHICAGO_REQUIRED = frozenset({"Date", "Primary Type", "Latitude", "Longitude"})
CHICAGO_TZ = ZoneInfo("America/Chicago")


class ImportFormat(StrEnum):
    POLICE_UK = "police-uk"
    CHICAGO = "chicago"


class Outcome(StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class RowResult:
    row: int  # 1 = the first record after the header
    outcome: Outcome
    incident_id: str | None = None
    source_key: str | None = None
    reason: str | None = None


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def imported(self) -> int:
        return self.count(Outcome.IMPORTED)

    @property
    def duplicates(self) -> int:
        return self.count(Outcome.DUPLICATE)

    @property
    def rejected(self) -> int:
        return self.count(Outcome.REJECTED)


class RowError(ValueError):
    """A row that cannot be imported; the message is the reported reason."""


@dataclass(frozen=True)
class Parsed:
    source_key: str
    reference: str | None
    category: Category
    occurred_from: datetime
    occurred_to: datetime
    location: Point


def _coordinates(lon_text: str, lat_text: str) -> Point:
    if not lon_text.strip() or not lat_text.strip():
        raise RowError("missing_location")
    try:
        lon, lat = float(lon_text), float(lat_text)
    except ValueError:
        raise RowError("invalid_coordinates") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or lon != lon or lat != lat:
        raise RowError("coordinates_out_of_range")
    return Point(type="Point", coordinates=[lon, lat])


def _window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    try:
        check_window(start, end)
    except ValueError:
        raise RowError("future_time") from None
    return start, end


def _row_hash(values: list[str]) -> str:
    normalised = "\x1f".join(" ".join(v.split()) for v in values)
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


def _police_uk_row(row: dict[str, str]) -> Parsed:
    category = from_police_uk(row["Crime type"])
    if category is None:
        raise RowError("unknown_category")
    try:
        start = datetime.strptime(row["Month"].strip(), "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise RowError("invalid_month") from None
    following = (start + timedelta(days=32)).replace(day=1)
    occurred_from, occurred_to = _window(start, following - timedelta(milliseconds=1))
    location = _coordinates(row["Longitude"], row["Latitude"])
    crime_id = row["Crime ID"].strip()
    if crime_id and len(crime_id) > 128:
        raise RowError("invalid_crime_id")
    return Parsed(crime_id, crime_id or None, category, occurred_from, occurred_to, location)


def _chicago_row(row: dict[str, str]) -> Parsed:
    record_id = (row.get("ID") or "").strip() or (row.get("Case Number") or "").strip()
    if not record_id or len(record_id) > 64:
        raise RowError("missing_record_id")
    category = from_chicago(row["Primary Type"])
    if category is None:
        raise RowError("unknown_category")
    try:
        local = datetime.strptime(row["Date"].strip(), "%m/%d/%Y %I:%M:%S %p")
    except ValueError:
        raise RowError("invalid_date") from None
    moment = local.replace(tzinfo=CHICAGO_TZ).astimezone(UTC)
    occurred_from, occurred_to = _window(moment, moment)
    location = _coordinates(row["Longitude"], row["Latitude"])
    reference = (row.get("Case Number") or "").strip() or None
    return Parsed(record_id, reference, category, occurred_from, occurred_to, location)


def _check_header(fmt: ImportFormat, header: list[str] | None) -> list[str]:
    if header is None:
        raise BadUserInput("The file is empty.", details={"field": "csv", "reason": "empty"})
    names = [h.strip().lstrip("\ufeff") for h in header]
    if fmt == ImportFormat.POLICE_UK:
        if tuple(names) != POLICE_UK_HEADER:
            raise BadUserInput(
                "The header is not the data.police.uk street-crime layout: "
                + ", ".join(POLICE_UK_HEADER)
                + ".",
                details={"field": "csv", "reason": "wrong_header"},
            )
        return names
    unknown = [n for n in names if n not in CHICAGO_COLUMNS]
    missing = sorted(CHICAGO_REQUIRED - set(names))
    if unknown or missing or len(set(names)) != len(names) or not ({"ID", "Case Number"} & set(names)):
        raise BadUserInput(
            "The header is not the City of Chicago crimes layout (needs ID or Case Number, Date, "
            "Primary Type, Latitude, Longitude).",
            details={"field": "csv", "reason": "wrong_header", "unknown": unknown, "missing": missing},
        )
    return names


def import_csv(principal: Principal, fmt: str, text: str) -> ImportReport:
    """Import police records from CSV text (officers and coordinators)."""
    require_manager(principal)
    try:
        source_format = ImportFormat(fmt)
    except ValueError:
        raise BadUserInput(
            "Unknown import format; use police-uk or chicago.", details={"field": "format"}
        ) from None
    if len(text.encode()) > MAX_BYTES:
        raise BadUserInput(
            "The file is larger than 5 MB; split it.", details={"field": "csv", "reason": "too_large"}
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _check_header(source_format, next(reader, None))
        records = list(reader)
    except csv.Error:
        raise BadUserInput(
            "The file is not valid CSV.", details={"field": "csv", "reason": "not_csv"}
        ) from None
    records = [r for r in records if any(v.strip() for v in r)]  # blank lines carry nothing
    if len(records) > MAX_ROWS:
        raise BadUserInput(
            f"At most {MAX_ROWS} rows per import; split the file.",
            details={"field": "csv", "reason": "too_many_rows"},
        )
    source = Source.POLICE_UK if source_format == ImportFormat.POLICE_UK else Source.CHICAGO
    parse: Callable[[dict[str, str]], Parsed] = (
        _police_uk_row if source_format == ImportFormat.POLICE_UK else _chicago_row
    )
    report = ImportReport()
    parsed: list[tuple[int, Parsed]] = []
    seen_hashes: Counter[str] = Counter()
    for number, values in enumerate(records, start=1):
        if len(values) != len(header):
            report.rows.append(RowResult(number, Outcome.REJECTED, reason="wrong_column_count"))
            continue
        try:
            record = parse(dict(zip(header, values, strict=True)))
        except RowError as exc:
            report.rows.append(RowResult(number, Outcome.REJECTED, reason=str(exc)))
            continue
        if not record.source_key:
            # police.uk leaves "Crime ID" empty for anti-social behaviour: the row's content is its key,
            # with its occurrence among identical rows so that identical reports stay distinct.
            digest = _row_hash(values)
            seen_hashes[digest] += 1
            record = _with_key(record, f"row-{digest}-{seen_hashes[digest]}")
        parsed.append((number, record))
    known = store.imported_keys(principal.org_id, source, [p.source_key for _, p in parsed])
    for number, record in parsed:
        if record.source_key in known:
            report.rows.append(RowResult(number, Outcome.DUPLICATE, source_key=record.source_key))
            continue
        report.rows.append(_import_row(principal, source, number, record))
    report.rows.sort(key=lambda r: r.row)
    return report


def _with_key(record: Parsed, key: str) -> Parsed:
    return Parsed(
        key, record.reference, record.category, record.occurred_from, record.occurred_to, record.location
    )


def _import_row(principal: Principal, source: Source, number: int, record: Parsed) -> RowResult:
    from argus.watch.service.geography import locate

    coverage = locate(principal, record.location.lon, record.location.lat)
    status = IncidentStatus.REFERRED if record.reference else IncidentStatus.TRIAGED
    draft = Incident(
        id=new_id(),
        org_id=principal.org_id,
        category=record.category,
        status=status,
        occurred_from=record.occurred_from,
        occurred_to=record.occurred_to,
        location=record.location,
        group_id=coverage.group.id if coverage.group else None,
        block_id=coverage.block.id if coverage.block else None,
        description=None,
        suspect=None,
        vehicle=None,
        source=source,
        source_key=record.source_key,
        reported_by=principal.sub,
        reported_at=record.occurred_from,
        rms_reference=record.reference,
        updated_at=record.occurred_from,
        version=1,
    )
    incident, event, entry = created(
        draft,
        events.INCIDENT_IMPORTED,
        EntryKind.IMPORTED,
        reason=f"Imported from {source.value}",
        rms_reference=record.reference,
    )
    uow = UnitOfWork()
    store.reserve_import_key(uow, principal.org_id, source, record.source_key, incident.id)
    store.add_incident(uow, incident, entry)
    uow.emit(event)
    try:
        uow.commit()
    except Conflict as exc:
        if exc.details.get("reason") == "duplicate":
            return RowResult(number, Outcome.DUPLICATE, source_key=record.source_key)
        raise
    return RowResult(number, Outcome.IMPORTED, incident_id=incident.id, source_key=record.source_key)
