"""A synthetic city for the pattern job: a steady hotspot all along, a burst of incidents in the final
week, a uniform background; as incident items (integration) or as a City of Chicago CSV (e2e)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from argus.incidents.store.items import IncidentItem
from argus.patterns.stats.synthetic import PlantedHotspot, city_box, synthetic_city
from argus.platform import clock
from argus.platform.keys import incidents as incident_keys

BOX = city_box(5.0)
# ~33 incidents a week within ~150 m: hot in every week of a 12-week cube (a persistent hot spot).
STEADY = PlantedHotspot(BOX[2] - 0.012, BOX[3] - 0.02, 150.0, 0.10, "steady")
# 40 incidents within ~90 m in the final week only: a new hot spot.
NEW = (BOX[0] + 0.012, BOX[1] + 0.02)
NEW_SIZE = 40
CATEGORIES = ("burglary", "other_theft", "vehicle_crime")
CHICAGO_TYPES = {"burglary": "BURGLARY", "other_theft": "THEFT", "vehicle_crime": "MOTOR VEHICLE THEFT"}


@dataclass(frozen=True)
class City:
    lat: np.ndarray
    lng: np.ndarray
    at: list[datetime]
    category: list[str]

    def __len__(self) -> int:
        return len(self.at)


def planted_city(
    as_of: datetime, *, weeks: int = 12, n: int = 4000, seed: int = 7, burst: bool = True
) -> City:
    """``n`` incidents in the ``weeks`` weeks before ``as_of`` (the last one at least an hour before it)."""
    size = NEW_SIZE if burst else 0
    city = synthetic_city(seed, n=n - size, size_km=5.0, weeks=weeks, hotspots=(STEADY,))
    rng = np.random.default_rng(seed + 1)
    lat = np.concatenate([city.lat, NEW[0] + rng.normal(0, 0.0008, size)])
    lng = np.concatenate([city.lng, NEW[1] + rng.normal(0, 0.0012, size)])
    day = np.concatenate([city.day, rng.uniform(weeks * 7 - 6.5, weeks * 7 - 0.5, size)])
    day = np.minimum(day, weeks * 7 - 0.05)
    start = as_of - timedelta(weeks=weeks)
    at = [(start + timedelta(days=float(d))).replace(microsecond=0) for d in day]
    return City(lat, lng, at, [CATEGORIES[i % 3] for i in range(len(at))])


def save_items(city: City, org_id: str, *, start: int = 0) -> None:
    """Write the incidents from ``start`` on straight to the table (what reports and imports store)."""
    with IncidentItem.batch_write() as batch:
        for i, at in enumerate(city.at[start:], start):
            incident_id = f"0190{i:04x}-0000-7000-8000-{i:012x}"
            batch.save(
                IncidentItem(
                    PK=incident_keys.incident_pk(org_id, incident_id),
                    SK=incident_keys.INCIDENT_SK,
                    GSI1PK=incident_keys.incidents_by_month_pk(org_id, clock.iso(at)[:7]),
                    GSI1SK=incident_keys.incidents_by_month_sk(clock.iso(at), incident_id),
                    incident_id=incident_id,
                    org_id=org_id,
                    category=city.category[i],
                    status="reported",
                    occurred_from=at,
                    occurred_to=at,
                    lon=float(city.lng[i]),
                    lat=float(city.lat[i]),
                    source="report",
                    reported_by="member",
                    reported_at=at,
                    updated_at=at,
                    version=1,
                )
            )


def chicago_csv(city: City) -> str:
    """The city as a City of Chicago crimes extract (local Chicago time, as the real file)."""
    chicago = ZoneInfo("America/Chicago")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ID", "Date", "Primary Type", "Latitude", "Longitude"])
    for i, at in enumerate(city.at):
        local = at.astimezone(chicago).strftime("%m/%d/%Y %I:%M:%S %p")
        writer.writerow([9_000_000 + i, local, CHICAGO_TYPES[city.category[i]], city.lat[i], city.lng[i]])
    return out.getvalue()
