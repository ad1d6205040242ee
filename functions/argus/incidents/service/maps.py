"""Incident maps: a GeoJSON FeatureCollection for a time range and an area.

Staff (officers, supervisors, analysts, admins) see exact points, times and descriptions of every incident
at once. Everyone else — residents, members, captains, partners — sees what the organisation's privacy
settings allow: counts of H3 cell x month x category, delayed, with small groups rolled up or withheld
(argus.incidents.service.publication)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ConfigDict, field_validator, model_validator

from argus.incidents.model import Incident
from argus.incidents.service import publication
from argus.incidents.service.access import is_staff
from argus.incidents.store import incidents as store
from argus.incidents.taxonomy import CATEGORIES
from argus.platform import clock
from argus.platform.auth.principal import Principal
from argus.platform.errors import BadUserInput
from argus.platform.validation import DomainModel, validated

MAX_RANGE = timedelta(days=366)
MAX_FEATURES = 10_000


class MapQuery(DomainModel):
    model_config = ConfigDict(extra="forbid")

    start: datetime
    end: datetime
    bbox: list[float] | None = None

    @field_validator("bbox")
    @classmethod
    def _bbox(cls, value: list[float] | None) -> list[float] | None:
        if value is None:
            return None
        if len(value) != 4:
            raise ValueError("must be [west, south, east, north]")
        west, south, east, north = value
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
            raise ValueError("must be [west, south, east, north] in range, south <= north")
        return value

    @model_validator(mode="after")
    def _range(self) -> MapQuery:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("times must carry a UTC offset")
        if self.start > self.end:
            raise ValueError("from must not be after to")
        if self.end - self.start > MAX_RANGE:
            raise ValueError("the range must be at most 366 days")
        return self


def _inside(bbox: list[float] | None, lon: float, lat: float) -> bool:
    if bbox is None:
        return True
    west, south, east, north = bbox
    in_lon = west <= lon <= east if west <= east else (lon >= west or lon <= east)  # across the antimeridian
    return in_lon and south <= lat <= north


def _exact(incident: Incident) -> tuple[dict[str, Any], dict[str, Any], str]:
    properties = {
        "category": incident.category.value,
        "categoryLabel": CATEGORIES[incident.category].label,
        "policeUkCategory": CATEGORIES[incident.category].police_uk,
        "status": incident.status.value,
        "occurredFrom": clock.iso(incident.occurred_from),
        "occurredTo": clock.iso(incident.occurred_to),
        "groupId": incident.group_id,
        "blockId": incident.block_id,
        "source": incident.source.value,
        "description": incident.description,
    }
    return incident.location.geojson(), properties, incident.id


def incidents_geojson(
    principal: Principal, start: datetime, end: datetime, bbox: list[float] | None = None
) -> dict[str, Any]:
    """The map of incidents that began between ``start`` and ``end`` (and lie in ``bbox``): exact for staff,
    as published for everyone else. Raises BadUserInput for a bad range or box, or too big an answer."""
    query = validated(MapQuery, {"start": start, "end": end, "bbox": bbox})
    if not is_staff(principal):
        return publication.published_map(principal.org_id, query.start, query.end, query.bbox)
    return _exact_map(principal.org_id, query)


def _exact_map(org_id: str, query: MapQuery) -> dict[str, Any]:
    """Every incident in the range and box, one point each (one GSI1 query per month)."""
    from argus.geo import feature_collection

    start_iso, end_iso = clock.iso(query.start), clock.iso(query.end)
    features: list[Any] = []
    for month in store.months_between(query.start.astimezone(UTC), query.end.astimezone(UTC)):
        for incident in store.incidents_in_month(org_id, month, start_iso, end_iso):
            if not _inside(query.bbox, incident.location.lon, incident.location.lat):
                continue
            features.append(_exact(incident))
            if len(features) > MAX_FEATURES:
                raise BadUserInput(
                    f"More than {MAX_FEATURES} incidents; choose a shorter range or a smaller area.",
                    details={"field": "from", "reason": "too_many_incidents"},
                )
    return feature_collection(features)
