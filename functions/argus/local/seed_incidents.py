"""Demo incidents for the local stack: twelve weeks of synthetic police records in and around the demo watch
programme (Clerkenwell, London), imported as an officer imports a records extract, so that the incident map
and a pattern run have something to show. Generated (deterministic for the seed, times relative to the
clock), never read from files. About 850 records:

- a background of about 40 a week over 3.2 x 2.4 km around the group, in a mix of categories and at the
  hours each kind of crime tends to happen;
- a steady hot spot: the night-time economy around the Exmouth Market block, about 24 a week within a few
  hundred metres (violence, theft, public order, drugs), every week — a persistent hot spot;
- an emerging cluster: vehicle crime by the Chadwell Street and Rosebery Avenue blocks in the last three
  weeks only (8, 16, then 26) — a new or consecutive hot spot;
- near-repeat burglaries: eight series of five to seven burglaries within ~100 m and ten days, on top of
  the background's burglaries — what the Knox test looks for.

Sized for the pattern run's statistics (docs/patterns.md): a weekly map of a small area detects clusters
of a few dozen incidents spread over neighbouring resolution-9 cells, not a handful in one cell.

Why the City of Chicago layout rather than the data.police.uk download: police.uk records carry only their
month, so all of them would begin on the 1st, leaving no weeks and no near repeats to find; the Chicago
extract carries the time (Chicago local time, as in the real file). Its primary types map to our
categories (``argus.incidents.taxonomy``). The records keep fixed ids, so importing them again adds
nothing."""

from __future__ import annotations

import csv
import io
import math
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from argus.incidents.service.imports import CHICAGO_TZ, ImportFormat, ImportReport, import_csv
from argus.local.seed import DEMO_JURISDICTION
from argus.platform import clock
from argus.platform.auth.principal import Principal, Role

SEED = 20260302
WEEKS = 12
KEY_PREFIX = "DEMO-"
# (west, south, east, north): the demo organisation's jurisdiction (argus.local.seed).
AREA = DEMO_JURISDICTION
BACKGROUND_PER_WEEK = 40
# (lon, lat) of the planted patterns; the group lies within (-0.1109, 51.5271, -0.1013, 51.5309).
STEADY = (-0.1095, 51.5302)  # the Exmouth Market block
STEADY_PER_WEEK = 24
STEADY_SPREAD_M = 200.0
EMERGING = (-0.1015, 51.5283)  # the Chadwell Street and Rosebery Avenue blocks
EMERGING_PER_WEEK = (8, 16, 26)  # the last three weeks
EMERGING_SPREAD_M = 150.0
BURGLARY_SERIES = 8
LATEST = timedelta(hours=3)  # the newest record is at least this old

_LONDON = ZoneInfo("Europe/London")
_CHICAGO_FORMAT = "%m/%d/%Y %I:%M:%S %p"
_METRES_PER_DEGREE = 111_320.0

# Chicago primary types (each maps to one category of ours) and their weights.
_BACKGROUND_MIX = (
    ("THEFT", 24),  # other theft
    ("BATTERY", 13),  # violence
    ("ASSAULT", 9),  # violence
    ("CRIMINAL DAMAGE", 12),  # criminal damage and arson
    ("BURGLARY", 9),
    ("MOTOR VEHICLE THEFT", 9),  # vehicle crime
    ("ROBBERY", 5),
    ("NARCOTICS", 7),  # drugs
    ("PUBLIC PEACE VIOLATION", 7),  # public order
    ("WEAPONS VIOLATION", 2),  # possession of weapons
    ("ARSON", 1),  # criminal damage and arson
    ("OTHER OFFENSE", 2),  # other crime
)
_NIGHT_LIFE_MIX = (
    ("BATTERY", 30),
    ("ASSAULT", 15),
    ("THEFT", 25),
    ("PUBLIC PEACE VIOLATION", 15),
    ("NARCOTICS", 10),
    ("ROBBERY", 5),
)
# Hours of the day (London) by when each kind of crime tends to happen: (first hour, last hour, weight).
_HOURS = {
    "night": ((19, 23, 5), (0, 3, 4), (4, 18, 1)),
    "overnight": ((22, 23, 3), (0, 6, 5), (7, 21, 1)),
    "day": ((8, 19, 5), (20, 23, 2), (0, 7, 1)),
}
_PROFILE = {
    "BATTERY": "night",
    "ASSAULT": "night",
    "PUBLIC PEACE VIOLATION": "night",
    "NARCOTICS": "night",
    "ROBBERY": "night",
    "WEAPONS VIOLATION": "night",
    "MOTOR VEHICLE THEFT": "overnight",
    "CRIMINAL DAMAGE": "overnight",
    "ARSON": "overnight",
}


@dataclass(frozen=True)
class DemoIncident:
    """One record of the demo extract: its id, when (UTC, whole seconds), what and where."""

    key: str
    at: datetime
    primary_type: str
    lon: float
    lat: float


def _offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    dlat = north_m / _METRES_PER_DEGREE
    dlon = east_m / (_METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lon + dlon, 6), round(lat + dlat, 6)


class _Generator:
    """Draws the records in a fixed order from one seeded generator, so the same records (ids, places,
    kinds and offsets into their weeks) come out whatever the clock says."""

    def __init__(self, now: datetime) -> None:
        self.rng = random.Random(SEED)
        self.start = now.astimezone(UTC).replace(microsecond=0) - timedelta(weeks=WEEKS)
        self.latest = now.astimezone(UTC) - LATEST
        self.records: list[DemoIncident] = []

    def kind(self, mix: tuple[tuple[str, int], ...]) -> str:
        names, weights = zip(*mix, strict=True)
        return self.rng.choices(names, weights)[0]

    def near(self, centre: tuple[float, float], spread_m: float) -> tuple[float, float]:
        return _offset(*centre, self.rng.gauss(0, spread_m), self.rng.gauss(0, spread_m))

    def anywhere(self) -> tuple[float, float]:
        west, south, east, north = AREA
        return round(self.rng.uniform(west, east), 6), round(self.rng.uniform(south, north), 6)

    def when(self, week: int, primary_type: str, day: int | None = None) -> datetime:
        """A moment in ``week`` (0 = the oldest), on ``day`` of it (or any), at a likely hour."""
        day = self.rng.randrange(7) if day is None else day
        spans = _HOURS[_PROFILE.get(primary_type, "day")]
        first, last, _ = self.rng.choices(spans, [weight for *_, weight in spans])[0]
        hour, minute = self.rng.randint(first, last), self.rng.randrange(60)
        week_start = self.start + timedelta(weeks=week)
        date = (week_start + timedelta(days=day)).astimezone(_LONDON).date()
        moment = datetime(date.year, date.month, date.day, hour, minute, tzinfo=_LONDON).astimezone(UTC)
        # keep it inside its week, and in the past
        if moment < week_start:
            moment += timedelta(days=1)
        if moment >= week_start + timedelta(weeks=1) or moment > self.latest:
            moment -= timedelta(days=1)
        return _representable(moment)

    def add(self, week: int, primary_type: str, place: tuple[float, float], day: int | None = None) -> None:
        at = self.when(week, primary_type, day)
        key = f"{KEY_PREFIX}{len(self.records) + 1:05d}"
        self.records.append(DemoIncident(key, at, primary_type, *place))


def _representable(moment: datetime) -> datetime:
    """``moment`` moved off the repeated hour of Chicago's autumn clock change (a local time there names
    two moments and the import takes the first), so that the stored time is the generated one."""
    while _from_chicago(_to_chicago(moment)) != moment:
        moment += timedelta(hours=1)
    return moment


def _to_chicago(moment: datetime) -> str:
    return moment.astimezone(CHICAGO_TZ).strftime(_CHICAGO_FORMAT)


def _from_chicago(text: str) -> datetime:
    return datetime.strptime(text, _CHICAGO_FORMAT).replace(tzinfo=CHICAGO_TZ).astimezone(UTC)


def demo_incidents(now: datetime | None = None) -> list[DemoIncident]:
    """The demo records of the ``WEEKS`` weeks before ``now`` (default: the clock's now), in id order."""
    gen = _Generator(now or clock.now())
    for week in range(WEEKS):
        for _ in range(BACKGROUND_PER_WEEK + gen.rng.randint(-8, 8)):
            kind = gen.kind(_BACKGROUND_MIX)
            gen.add(week, kind, gen.anywhere())
        for _ in range(STEADY_PER_WEEK + gen.rng.randint(-2, 2)):
            kind = gen.kind(_NIGHT_LIFE_MIX)
            gen.add(week, kind, gen.near(STEADY, STEADY_SPREAD_M))
    for week, count in zip(range(WEEKS - len(EMERGING_PER_WEEK), WEEKS), EMERGING_PER_WEEK, strict=True):
        for _ in range(count):
            gen.add(week, "MOTOR VEHICLE THEFT", gen.near(EMERGING, EMERGING_SPREAD_M))
    west, south, east, north = AREA
    for _ in range(BURGLARY_SERIES):
        # a street in the middle half of the area, its houses hit one after another within ten days
        centre = (
            gen.rng.uniform((3 * west + east) / 4, (west + 3 * east) / 4),
            gen.rng.uniform((3 * south + north) / 4, (south + 3 * north) / 4),
        )
        week = gen.rng.randrange(WEEKS - 2)
        first_day = gen.rng.randrange(7)
        for _ in range(gen.rng.randint(5, 7)):
            day = first_day + gen.rng.randrange(10)
            gen.add(week + day // 7, "BURGLARY", gen.near(centre, 40.0), day % 7)
    return gen.records


HEADER = ("ID", "Date", "Primary Type", "Latitude", "Longitude")


def demo_csv(records: list[DemoIncident]) -> str:
    """The records as a City of Chicago crimes extract (dates in Chicago local time, as the real file)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for r in records:
        writer.writerow([r.key, _to_chicago(r.at), r.primary_type, f"{r.lat:.6f}", f"{r.lon:.6f}"])
    return out.getvalue()


# The demo extract goes in as this many files imported side by side (as several officers would import
# them): each row is a request to the moto server and a wait for it, and the waits overlap.
IMPORTS_AT_ONCE = 4


def seed_incidents_demo(org_id: str, officer_sub: str, now: datetime | None = None) -> ImportReport:
    """Import the demo records as the officer ``officer_sub``, in ``IMPORTS_AT_ONCE`` files imported at
    once; records imported before are reported as duplicates and left alone (safe to run again). The
    report holds every file's rows, each file's numbered from 1."""
    officer = Principal(sub=officer_sub, org_id=org_id, roles=frozenset({Role.OFFICER}))
    records = demo_incidents(now)
    files = [demo_csv(records[start::IMPORTS_AT_ONCE]) for start in range(IMPORTS_AT_ONCE)]
    with ThreadPoolExecutor(IMPORTS_AT_ONCE, thread_name_prefix="argus-demo-import") as pool:
        reports = list(pool.map(lambda text: import_csv(officer, ImportFormat.CHICAGO.value, text), files))
    return ImportReport(rows=[row for report in reports for row in report.rows])
