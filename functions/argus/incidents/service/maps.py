"""Incident maps: a GeoJSON FeatureCollection for a time range and an area.

Staff (officers, supervisors, analysts, admins) see exact points, times and descriptions. Everyone else
sees what police.uk publishes: the point moved to the centre of its H3 cell of resolution 8 (about
0.74 km², edges ~460 m), the month instead of the time, and no free text. Resolution 8 rather than 9
(~0.1 km²): police.uk's snap points each cover at least eight postal addresses; a resolution-9 cell in
a suburb or village can hold fewer homes than that, so a burglary "in this cell" would point at a
house, while a resolution-8 cell holds hundreds of addresses wherever people live and still shows
which part of a watch group (at most 25 km²) is affected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ConfigDict, field_validator, model_validator

from argus.incidents.model import Incident
from argus.incidents.service.access import is_staff
from argus.incidents.store import incidents as store
from argus.incidents.taxonomy import CATEGORIES
from argus.platform import clock
from argus.platform.auth.principal import Principal
from argus.platform.errors import BadUserInput
from argus.platform.validation import DomainModel, validated

GENERALISED_RESOLUTION = 8
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


def cell_centre(lon: float, lat: float) -> tuple[float, float]:
    """The centre (lon, lat) of the point's H3 cell of GENERALISED_RESOLUTION."""
    import h3

    from argus.geo import cell_for_point

    centre_lat, centre_lon = h3.cell_to_latlng(cell_for_point(lon, lat, GENERALISED_RESOLUTION))
    return round(centre_lon, 6), round(centre_lat, 6)


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


def _generalised(incident: Incident) -> tuple[dict[str, Any], dict[str, Any], None]:
    from argus.geo import cell_for_point

    lon, lat = cell_centre(incident.location.lon, incident.location.lat)
    properties = {
        "category": incident.category.value,
        "categoryLabel": CATEGORIES[incident.category].label,
        "policeUkCategory": CATEGORIES[incident.category].police_uk,
        "status": incident.status.value,
        "month": store.month_of(incident.occurred_from),
        "cell": cell_for_point(incident.location.lon, incident.location.lat, GENERALISED_RESOLUTION),
    }
    return {"type": "Point", "coordinates": [lon, lat]}, properties, None


def incidents_geojson(
    principal: Principal, start: datetime, end: datetime, bbox: list[float] | None = None
) -> dict[str, Any]:
    """Incidents that began between ``start`` and ``end`` (and lie in ``bbox``), one GSI1 query per month."""
    from argus.geo import feature_collection

    query = validated(MapQuery, {"start": start, "end": end, "bbox": bbox})
    start_iso, end_iso = clock.iso(query.start), clock.iso(query.end)
    exact = is_staff(principal)
    features: list[Any] = []
    for month in store.months_between(query.start.astimezone(UTC), query.end.astimezone(UTC)):
        for incident in store.incidents_in_month(principal.org_id, month, start_iso, end_iso):
            if not _inside(query.bbox, incident.location.lon, incident.location.lat):
                continue
            features.append(_exact(incident) if exact else _generalised(incident))
            if len(features) > MAX_FEATURES:
                raise BadUserInput(
                    f"More than {MAX_FEATURES} incidents; choose a shorter range or a smaller area.",
                    details={"field": "from", "reason": "too_many_incidents"},
                )
    return feature_collection(features)
