"""Building blocks of the publication tests: an organisation with given privacy settings, incidents
placed in chosen H3 cells at chosen moments (reported then, as the reporter's clock says), and the
callers below staff whose maps the settings govern."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import h3
from argus.incidents.model import Incident
from argus.incidents.service import maps, reports
from argus.organisations import service as organisations
from argus.platform import clock
from argus.platform.auth.principal import Principal, Role

from tests.factories.organisations import organisation_draft
from tests.factories.principals import admin, principal
from tests.integration.incidents.support import officer, report_input

# The base cell A (resolution 8, Clerkenwell), two more children B and C of its resolution-7 parent, and
# D by Hyde Park, whose resolution-6 ancestor is another one: records in D never pool with A, B or C.
A = str(h3.latlng_to_cell(51.5292, -0.1055, 8))
PARENT = str(h3.cell_to_parent(A, 7))
B, C = [str(c) for c in sorted(h3.cell_to_children(PARENT, 8)) if c != A][:2]
D = str(h3.latlng_to_cell(51.5073, -0.1657, 8))
assert h3.cell_to_parent(D, 5) != h3.cell_to_parent(A, 5)

RESIDENT = principal(Role.RESIDENT, sub="resident-rowe")
PARTNER = principal(Role.PARTNER, sub="partner-council")
CAPTAIN = principal(Role.CAPTAIN, sub="captain-chen")
MEMBER = principal(Role.MEMBER, sub="member-mensah")
BELOW_STAFF = (RESIDENT, MEMBER, CAPTAIN, PARTNER)

POLICY = {"min_cell_size": 10, "generalise_locations": True, "publication_delay_days": 30}


def with_privacy(**privacy: Any) -> None:
    """The organisation of the test principals, with these privacy settings."""
    organisations.create_organisation(admin(), organisation_draft(privacy=privacy))


def centre(cell: str, east_m: float = 0.0) -> tuple[float, float]:
    """(lon, lat) of the cell's centre, moved ``east_m`` metres east (a few metres stay in the cell)."""
    lat, lon = h3.cell_to_latlng(cell)
    return lon + east_m / (111_320.0 * 0.6225), lat


@contextmanager
def at(fixed: clock.FixedClock, moment: datetime) -> Iterator[None]:
    """The clock at ``moment`` for the block, back where it was afterwards."""
    before = fixed.current
    fixed.current = moment
    try:
        yield
    finally:
        fixed.current = before


def record(
    fixed: clock.FixedClock,
    cell: str,
    occurred: datetime,
    category: str = "burglary",
    *,
    reported: datetime | None = None,
    east_m: float = 0.0,
    n: int = 1,
) -> list[Incident]:
    """``n`` incidents of ``category`` in ``cell`` that began at ``occurred`` (a minute apart), each
    reported by an officer at ``reported`` (default: an hour after it began)."""
    lon, lat = centre(cell, east_m)
    made = []
    for k in range(n):
        began = occurred + timedelta(minutes=k)
        with at(fixed, reported or began + timedelta(hours=1)):
            stamp = clock.iso(began)
            made.append(
                reports.report(
                    officer(),
                    report_input(lon, lat, category=category, occurred_from=stamp, occurred_to=stamp),
                )
            )
    return made


def public_map(
    who: Principal = RESIDENT,
    start: datetime = datetime(2025, 10, 1, tzinfo=UTC),
    end: datetime = datetime(2026, 4, 1, tzinfo=UTC),
    bbox: list[float] | None = None,
) -> dict[str, Any]:
    return maps.incidents_geojson(who, start, end, bbox)


def count_of(feature: dict[str, Any]) -> int:
    """How many records a feature stands for (a feature without a count is one incident's point)."""
    return int(feature["properties"].get("count", 1))


def groups(collection: dict[str, Any]) -> dict[tuple[Any, ...], int]:
    """(cell, month, category) → count of every feature (counts of repeated keys added up)."""
    found: dict[tuple[Any, ...], int] = {}
    for f in collection["features"]:
        p = f["properties"]
        key = (p.get("cell"), p.get("month"), p.get("category"))
        found[key] = found.get(key, 0) + count_of(f)
    return found


def bbox_of(cell: str, margin_deg: float = 0.0) -> list[float]:
    """[west, south, east, north] of the cell's boundary, grown by ``margin_deg``."""
    ring = h3.cell_to_boundary(cell)
    lats, lons = [p[0] for p in ring], [p[1] for p in ring]
    return [min(lons) - margin_deg, min(lats) - margin_deg, max(lons) + margin_deg, max(lats) + margin_deg]
