"""Domain types of the incidents domain."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, field_validator, model_validator

from argus.incidents.taxonomy import Category
from argus.platform import clock
from argus.platform.validation import DomainModel

# How far in the future a reported time may lie (clients' clocks drift).
CLOCK_SKEW = timedelta(minutes=5)
MAX_DESCRIPTION = 4000
MAX_DETAILS = 1000


class IncidentStatus(StrEnum):
    REPORTED = "reported"
    TRIAGED = "triaged"
    REFERRED = "referred"
    CLOSED = "closed"


# Allowed lifecycle moves; closing is final. A report may be closed without referral (no crime).
TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.REPORTED: frozenset({IncidentStatus.TRIAGED, IncidentStatus.CLOSED}),
    IncidentStatus.TRIAGED: frozenset({IncidentStatus.REFERRED, IncidentStatus.CLOSED}),
    IncidentStatus.REFERRED: frozenset({IncidentStatus.CLOSED}),
    IncidentStatus.CLOSED: frozenset(),
}


class Source(StrEnum):
    REPORT = "report"
    POLICE_UK = "police-uk"
    CHICAGO = "chicago"


class EntryKind(StrEnum):
    REPORTED = "reported"
    IMPORTED = "imported"
    TRIAGED = "triaged"
    REFERRED = "referred"
    CLOSED = "closed"
    NOTE = "note"


def _text(limit: int, *, required: bool = True) -> Any:
    def check(value: str) -> str:
        value = value.strip()
        if required and not value:
            raise ValueError("must not be empty")
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value

    return AfterValidator(check)


Description = Annotated[str, _text(MAX_DESCRIPTION)]
Details = Annotated[str, _text(MAX_DETAILS)]
Reason = Annotated[str, _text(500)]
RmsReference = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,63}$")]


class Point(DomainModel):
    """A GeoJSON Point (RFC 7946): [longitude, latitude] in WGS 84."""

    model_config = ConfigDict(frozen=True)

    type: str
    coordinates: list[float]

    @field_validator("type")
    @classmethod
    def _point(cls, value: str) -> str:
        if value != "Point":
            raise ValueError("must be 'Point'")
        return value

    @field_validator("coordinates")
    @classmethod
    def _in_range(cls, value: list[float]) -> list[float]:
        if len(value) not in (2, 3):
            raise ValueError("must be [longitude, latitude]")
        lon, lat = value[0], value[1]
        for name, coordinate, limit in (("longitude", lon, 180), ("latitude", lat, 90)):
            if not -limit <= coordinate <= limit:
                raise ValueError(
                    f"the {name} must be between -{limit} and {limit} (WGS 84 degrees); got {coordinate}"
                )
        return [lon, lat]

    @property
    def lon(self) -> float:
        return self.coordinates[0]

    @property
    def lat(self) -> float:
        return self.coordinates[1]

    def geojson(self) -> dict[str, Any]:
        return {"type": "Point", "coordinates": [self.lon, self.lat]}


def check_window(occurred_from: datetime, occurred_to: datetime) -> None:
    """Raise ValueError unless the window is timezone-aware, ordered and not in the future."""
    if occurred_from.tzinfo is None or occurred_to.tzinfo is None:
        raise ValueError("times must carry a UTC offset")
    if occurred_from > occurred_to:
        raise ValueError("occurredFrom must not be after occurredTo")
    if occurred_to > clock.now() + CLOCK_SKEW:
        raise ValueError("the incident cannot have happened in the future")


class ReportInput(DomainModel):
    model_config = ConfigDict(extra="forbid")

    category: Category
    occurred_from: datetime
    occurred_to: datetime | None = None
    location: Point
    description: Description
    suspect: Details | None = None
    vehicle: Details | None = None

    @model_validator(mode="after")
    def _window(self) -> ReportInput:
        if self.occurred_to is None:
            self.occurred_to = self.occurred_from
        check_window(self.occurred_from, self.occurred_to)
        return self


class Incident(DomainModel):
    model_config = ConfigDict(frozen=True)

    id: str
    org_id: str
    category: Category
    status: IncidentStatus
    occurred_from: datetime
    occurred_to: datetime
    location: Point
    group_id: str | None
    block_id: str | None
    description: str | None
    suspect: str | None
    vehicle: str | None
    source: Source
    source_key: str | None
    reported_by: str
    reported_at: datetime
    rms_reference: str | None
    updated_at: datetime
    version: int


class TimelineEntry(DomainModel):
    """One change of an incident, as its event recorded it (who, when, what, why)."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    incident_id: str
    kind: EntryKind
    at: datetime
    by: str
    from_status: IncidentStatus | None
    to_status: IncidentStatus | None
    reason: str | None
    rms_reference: str | None
