"""The local stack's demo incidents on moto: imported through the CSV import once (a second run adds
nothing), twelve weeks of them in and around the demo watch programme, and a pattern run over them finds
the planted steady hot spot, the emerging cluster and the near-repeat burglaries."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import h3
import pytest
from argus.incidents.service import maps
from argus.local import seed_incidents as demo
from argus.local.seed import DEMO_ORG, seed_demo
from argus.patterns import job, service
from argus.patterns.model import CUBE_RESOLUTION, Layer, RunStatus
from argus.platform import clock
from argus.platform.auth.principal import Principal, Role
from argus.platform.cloudevents import parse_event
from argus.watch import events as watch_events
from argus.watch.service import geography

from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import add_blocks, layout, outbox_events, propose

pytestmark = pytest.mark.usefixtures("moto_as_in_the_local_stack")

NOW = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)
EMERGING_CATEGORIES = {"new hot spot", "consecutive hot spot", "intensifying hot spot"}


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    with clock.use_clock(clock.FixedClock(NOW)):
        yield


def km_to(cell: str, place: tuple[float, float]) -> float:
    lon, lat = place
    return float(h3.great_circle_distance(h3.cell_to_latlng(cell), (lat, lon)))


def seeded_programme(aws: ArgusAws) -> tuple[Principal, str]:
    """The demo organisation, and the demo programme's group with its twelve blocks (without the rosters
    ``make dev`` adds: they make no difference to incidents and would make the import slower here), its
    areas indexed as the geo-index consumer would (no consumers run here)."""
    people = seed_demo()
    officer = Principal(sub=people.officer_sub, org_id=DEMO_ORG, roles=frozenset({Role.OFFICER}))
    group = propose(officer)
    add_blocks(group, len(layout().blocks), officer)
    for document in outbox_events(aws):
        if document["type"] in watch_events.AREA_TYPES:
            geography.index_area_event(parse_event(json.dumps(document)), None)  # type: ignore[arg-type]
    return officer, group.id


def test_the_demo_incidents_are_imported_once_and_show_their_patterns(aws: ArgusAws) -> None:
    officer, group_id = seeded_programme(aws)
    planned = demo.demo_incidents()
    assert 600 <= len(planned) <= 2000

    first = demo.seed_incidents_demo(DEMO_ORG, officer.sub)
    assert (first.imported, first.duplicates, first.rejected) == (len(planned), 0, 0)
    again = demo.seed_incidents_demo(DEMO_ORG, officer.sub)
    assert (again.imported, again.duplicates, again.rejected) == (0, len(planned), 0)

    # the incident map: every one of them, once, over the last twelve weeks
    features = maps.incidents_geojson(officer, NOW - timedelta(weeks=20), NOW)["features"]
    assert len(features) == len({f["id"] for f in features}) == len(planned)
    began = sorted(datetime.fromisoformat(f["properties"]["occurredFrom"]) for f in features)
    assert NOW - timedelta(weeks=demo.WEEKS) <= began[0] < NOW - timedelta(weeks=demo.WEEKS - 1)
    assert NOW - timedelta(days=1) < began[-1] <= NOW - demo.LATEST
    assert {f["properties"]["source"] for f in features} == {"chicago"}
    categories = Counter(f["properties"]["category"] for f in features)
    assert len(categories) >= 8 and max(categories.values()) < len(planned) / 2, categories
    # the ones inside the programme's boundary carry its group and a block; the others none
    boundary = layout().boundary
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        inside = boundary.covers(lon, lat)
        assert feature["properties"]["groupId"] == (group_id if inside else None), feature
        assert (feature["properties"]["blockId"] is not None) == inside, feature
    assert 100 <= sum(f["properties"]["groupId"] is not None for f in features) < len(planned) / 2

    # a pattern run over them, as requestPatternRun(weeks: 12) asks for it
    run = job.perform(DEMO_ORG, service.request_run(officer, demo.WEEKS).id)
    assert run.status is RunStatus.COMPLETED and run.incidents == len(planned)
    emerging = [c for c in run.cells if c.layer is Layer.EMERGING]
    # the steady hot spot: hot in (nearly) every week, and hot on the map of the last four weeks
    steady_cell = h3.latlng_to_cell(demo.STEADY[1], demo.STEADY[0], CUBE_RESOLUTION)
    assert any(c.category == "persistent hot spot" and c.hot for c in emerging if c.cell == steady_cell)
    hot_map = [c for c in run.cells if c.layer is Layer.HOTSPOT and c.hot]
    assert run.hot_cells == len(hot_map) and any(km_to(c.cell, demo.STEADY) < 0.3 for c in hot_map)
    assert all(c.p_fdr <= 0.05 for c in hot_map)
    # the emerging cluster of the last three weeks: hot in the final week where it lies, and announced (a
    # new, consecutive or intensifying hot spot) beside it. It lies 600 m from the steady hot spot, so
    # the cells between the two were hot before, in the steady spot's halo, and read as sporadic.
    assert run.study_area is not None and run.study_area.source == "jurisdiction"
    near = [c for c in emerging if km_to(c.cell, demo.EMERGING) < 0.3]
    assert near and all(c.hot for c in near), near
    assert any(
        c.category in EMERGING_CATEGORIES and c.hot and km_to(c.cell, demo.EMERGING) < 0.5 for c in emerging
    ), sorted((c.category, round(km_to(c.cell, demo.EMERGING), 2)) for c in emerging)
    # near-repeat burglaries: more pairs close in space and time than chance gives
    knox = {k.category: k for k in run.knox}
    assert knox["burglary"].ratio > 1.5 and knox["burglary"].p_value <= 0.01, knox
    # and the map a client draws
    geojson = service.hotspots_geojson(officer, run.id)
    assert any(f["properties"]["category"] == "persistent hot spot" for f in geojson["features"])


def test_the_records_are_the_same_whatever_the_clock() -> None:
    """Places, kinds and weeks do not depend on the moment of seeding (daylight saving included), so a
    run finds the same patterns whenever the stack starts."""

    def weeks_of(now: datetime) -> list[tuple[str, str, float, float, int]]:
        records = demo.demo_incidents(now)
        start = now - timedelta(weeks=demo.WEEKS)
        assert all(start <= r.at <= now - demo.LATEST for r in records)
        return [(r.key, r.primary_type, r.lon, r.lat, (r.at - start) // timedelta(weeks=1)) for r in records]

    march = weeks_of(NOW)
    assert march == weeks_of(NOW)
    # across London's and Chicago's clock changes, autumn and spring
    assert march == weeks_of(datetime(2026, 11, 21, 9, 5, 30, 123456, tzinfo=UTC))
    assert march == weeks_of(datetime(2027, 4, 1, 0, 0, tzinfo=UTC))
    assert len({key for key, *_ in march}) == len(march)
