"""Incidents as they are published below staff: counts of H3 cell x month x category, under the
organisation's privacy settings (argus.organisations.model.PrivacyDefaults).

- **Publication delay.** A record counts once it is known (the later of when it began and when it was
  reported; for an imported police record, the time its source gives) before the *release cut-off*: the
  first instant of the month that holds ``now - publication_delay_days``. So a record known on any day of
  a month appears ``publication_delay_days`` after that month ends, never sooner, and the published
  figures change once a month, all at once: a resident who asks every day cannot tell on which day a
  record came in. The reporting time rules, not only the time it began: an old burglary reported
  yesterday is news to the neighbours who saw the police call.
- **Groups, not points.** A published group is every record of one cell and one whole calendar month
  (UTC, the month it began in) and one category. A query selects whole groups — the months that overlap
  its range, the cells that meet its box — and never counts part of one, so no two answers differ by less
  than a whole group, and no box or range can place a record finer than its cell and month.
- **Minimum size.** A category with fewer than ``min_cell_size`` records in its cell joins the cell's
  other small categories in one "other categories" group; if those together are still too few they move to
  the cell's parent (one resolution coarser) and are grouped there the same way, up to ``ROLL_UPS`` levels;
  what is then still too small is withheld. Each record is counted in at most one group, and nothing
  published is a total over withheld records — no margins, no count of withheld records, only how many
  groups were withheld (each of 1 to ``min_cell_size - 1`` records) — so subtracting published figures
  from one another recovers no withheld count (primary suppression alone is safe without totals; with
  totals it would need secondary suppression).
- **Generalisation.** Cells are H3 cells of ``location_resolution`` (8, about 0.74 km², or coarser),
  published as their polygons; no ids, times, statuses or text.

Why counts rather than a point per incident: police.uk moves each record to a map point covering at
least eight addresses and publishes the month only; a minimum group size is a statistical disclosure rule
(the frequency rule of sdcTable and tau-ARGUS), which only means something for counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argus.incidents.model import Incident, Source
from argus.incidents.store import incidents as store
from argus.incidents.taxonomy import CATEGORIES, Category
from argus.organisations.model import PrivacyDefaults
from argus.organisations.service import privacy_of
from argus.platform import clock
from argus.platform.errors import BadUserInput

ROLL_UPS = 2
"""Coarser resolutions a too-small remainder moves up through before it is withheld (8 → 7 → 6)."""
MAX_GROUPS = 10_000
OTHER_LABEL = "Other categories together"
_ORDER = {category: n for n, category in enumerate(Category)}


@dataclass(frozen=True)
class Group:
    """The records of one cell, one month and one category (None: the cell's small categories together)."""

    cell: str
    resolution: int
    month: str
    category: Category | None
    count: int


@dataclass(frozen=True)
class MonthTable:
    """One month as published: its groups, and the cells whose remaining records are withheld."""

    groups: tuple[Group, ...]
    withheld: tuple[str, ...]


def release_cutoff(now: datetime, delay_days: int) -> datetime:
    """The first instant (UTC) of the month holding ``now - delay_days``: records known before it count."""
    moment = (now - timedelta(days=delay_days)).astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def known_at(incident: Incident) -> datetime:
    """When the incident became known: the later of its start and its report; for an imported police
    record, the time the source gives it (the moment of the import is when Argus learnt of a record the
    police held already, nothing anyone could tie to a household)."""
    if incident.source is not Source.REPORT:
        return incident.occurred_from
    return max(incident.occurred_from, incident.reported_at)


def roll_up_resolutions(resolution: int) -> list[int]:
    return [r for r in range(resolution - 1, resolution - 1 - ROLL_UPS, -1) if r >= 0]


def tabulate(
    month: str, records: Iterable[tuple[str, Category]], *, min_cell_size: int, resolution: int
) -> MonthTable:
    """The published groups of one month from its records' ``(cell of resolution, category)``.

    Every group counts at least ``min_cell_size`` records and every record is in at most one group; which
    groups exist depends only on the records, never on what is asked. Raises nothing."""
    from argus.geo.cells import ancestor

    pool: dict[str, Counter[Category]] = defaultdict(Counter)
    for cell, category in records:
        pool[cell][category] += 1
    groups: list[Group] = []
    withheld: list[str] = []
    levels = [resolution, *roll_up_resolutions(resolution)]
    for level, coarser in zip(levels, [*levels[1:], None], strict=True):
        rest: dict[str, Counter[Category]] = defaultdict(Counter)
        for cell in sorted(pool):
            small: Counter[Category] = Counter()
            for category, count in sorted(pool[cell].items(), key=lambda kv: _ORDER[kv[0]]):
                if count >= min_cell_size:
                    groups.append(Group(cell, level, month, category, count))
                else:
                    small[category] = count
            remainder = sum(small.values())
            if remainder >= min_cell_size:
                groups.append(Group(cell, level, month, None, remainder))
            elif remainder and coarser is not None:
                rest[ancestor(cell, coarser)].update(small)
            elif remainder:
                withheld.append(cell)
        pool = rest
    return MonthTable(tuple(groups), tuple(withheld))


def _month_start(month: str) -> datetime:
    return datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)


def month_table(org_id: str, month: str, cutoff: datetime, privacy: PrivacyDefaults) -> MonthTable:
    """One month of the organisation as published at ``cutoff`` (one GSI1 query of the whole month)."""
    from argus.geo import cell_for_point

    start = _month_start(month)
    following = (start + timedelta(days=32)).replace(day=1)
    incidents = store.incidents_in_month(
        org_id, month, clock.iso(start), clock.iso(following - timedelta(milliseconds=1))
    )
    records = (
        (cell_for_point(i.location.lon, i.location.lat, privacy.location_resolution), i.category)
        for i in incidents
        if known_at(i) < cutoff
    )
    return tabulate(
        month, records, min_cell_size=privacy.min_cell_size, resolution=privacy.location_resolution
    )


def _feature(group: Group) -> tuple[dict[str, Any], dict[str, Any], None]:
    from argus.geo.cells import polygon

    info = CATEGORIES[group.category] if group.category is not None else None
    properties = {
        "cell": group.cell,
        "resolution": group.resolution,
        "month": group.month,
        "category": group.category.value if group.category is not None else None,
        "categoryLabel": info.label if info is not None else OTHER_LABEL,
        "policeUkCategory": info.police_uk if info is not None else None,
        "count": group.count,
    }
    return polygon(group.cell), properties, None


def published_map(org_id: str, start: datetime, end: datetime, bbox: list[float] | None) -> dict[str, Any]:
    """The FeatureCollection callers below staff get for a (validated) range and box: one Polygon
    feature per group, and the foreign member ``publication`` saying what was applied (RFC 7946 §6.1).
    Raises BadUserInput (too_many_groups) past MAX_GROUPS groups."""
    from argus.geo import feature_collection
    from argus.geo.cells import meets_bbox

    privacy = privacy_of(org_id)
    cutoff = release_cutoff(clock.now(), privacy.publication_delay_days)
    months = [
        m
        for m in store.months_between(start.astimezone(UTC), end.astimezone(UTC))
        if _month_start(m) < cutoff
    ]
    features: list[Any] = []
    records = withheld = 0
    for month in months:
        table = month_table(org_id, month, cutoff, privacy)
        for group in table.groups:
            if meets_bbox(group.cell, bbox):
                features.append(_feature(group))
                records += group.count
        withheld += sum(1 for cell in table.withheld if meets_bbox(cell, bbox))
        if len(features) > MAX_GROUPS:
            raise BadUserInput(
                f"More than {MAX_GROUPS} groups; choose a shorter range or a smaller area.",
                details={"field": "from", "reason": "too_many_groups"},
            )
    collection = feature_collection(features)
    collection["publication"] = {
        "generalised": True,
        "publicationDelayDays": privacy.publication_delay_days,
        "publishedBefore": clock.iso(cutoff),
        "minCellSize": privacy.min_cell_size,
        "locationResolution": privacy.location_resolution,
        "rollUpResolutions": roll_up_resolutions(privacy.location_resolution),
        "period": "month",
        "months": months,
        "records": records,
        "suppressedGroups": withheld,
    }
    return collection
