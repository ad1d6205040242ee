"""The pattern job on moto: planted hot spots found and nothing on random data, pattern.detected once per
new hot spot cell (a retried run emits nothing twice), the consumer and the nightly schedule."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import h3
import numpy as np
import pytest
from argus.handlers import pattern_job, pattern_schedule
from argus.organisations import jurisdiction
from argus.organisations import service as organisations
from argus.patterns import events, job, service, store
from argus.patterns.model import (
    CUBE_RESOLUTION,
    MAP_RESOLUTION,
    RULES_VERSION,
    SCHEDULER_ACTOR,
    Layer,
    RunStatus,
)
from argus.platform import clock
from argus.platform.auth.principal import Role
from argus.platform.errors import NotFound
from argus.platform.keys import patterns as keys

from tests.factories.events import sqs_event
from tests.factories.organisations import organisation_draft
from tests.factories.patterns import BOX, NEW, STEADY, planted_city, save_items
from tests.factories.principals import ORG, admin, principal
from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import outbox_events, propose

AS_OF = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)  # the fixed clock's now
WEEKS = 12
PLANTED = ((STEADY.lat, STEADY.lng), NEW)


def analyst() -> object:
    return principal(Role.ANALYST, sub="analyst-1")


def km_to_nearest_planted(cell: str) -> float:
    return min(h3.great_circle_distance(h3.cell_to_latlng(cell), p) for p in PLANTED)


def requested(weeks: int = WEEKS) -> str:
    return service.request_run(principal(Role.OFFICER, sub="officer-1"), weeks).id


def test_planted_hot_spots_are_found_and_new_ones_are_announced(aws: ArgusAws) -> None:
    city = planted_city(AS_OF)
    save_items(city, ORG)
    run = job.perform(ORG, requested())

    assert run.status is RunStatus.COMPLETED and run.incidents == len(city) == 4000
    # no jurisdiction and no watch groups: the extent of the incidents, every whole cell of it
    assert run.rules_version == RULES_VERSION and run.study_area is not None
    assert run.study_area.source == "incidents" and run.study_area.outside == 0
    assert run.study_area.incidents == 4000 and 20 < run.study_area.area_km2 < 25
    assert run.study_area.cube_cells > 200 and run.study_area.map_cells > 1000
    emerging = {c.cell: c for c in run.cells if c.layer is Layer.EMERGING}
    steady = emerging[h3.latlng_to_cell(STEADY.lat, STEADY.lng, CUBE_RESOLUTION)]
    burst = emerging[h3.latlng_to_cell(*NEW, CUBE_RESOLUTION)]
    assert steady.category == "persistent hot spot" and steady.hot
    assert burst.category == "new hot spot" and burst.hot
    # the hotspot map of the last four weeks: both planted centres hot
    hot_map = {c.cell for c in run.cells if c.layer is Layer.HOTSPOT and c.hot}
    for lat, lng in PLANTED:
        assert h3.latlng_to_cell(lat, lng, MAP_RESOLUTION) in hot_map
    assert run.hot_cells == len(hot_map) and run.cold_cells == 0
    # elsewhere only what the false discovery rate allows (the background is uniform): at most 5 % of
    # the cells with a category or a hot decision lie away from the planted hot spots
    assert sum(km_to_nearest_planted(c) >= 0.6 for c in emerging) <= 0.05 * len(emerging)
    assert sum(km_to_nearest_planted(c) >= 0.6 for c in hot_map) <= 0.05 * len(hot_map)
    # near repeats: burglary and vehicle crime, each a third of the incidents
    assert {k.category: k.incidents for k in run.knox} == {"burglary": 1334, "vehicle_crime": 1333}

    detected = outbox_events(aws, events.PATTERN_DETECTED)
    alerting = {c.cell for c in emerging.values() if c.alerting}
    assert burst.cell in alerting and run.detected == len(alerting) == len(detected)
    assert {d["data"]["cell"] for d in detected} == alerting
    assert all(d["subject"] == run.id and d["data"]["resolution"] == CUBE_RESOLUTION for d in detected)
    (completed,) = outbox_events(aws, events.PATTERN_RUN_COMPLETED)
    assert completed["data"]["detected"] == len(detected) and completed["data"]["incidents"] == 4000
    assert completed["data"]["rulesVersion"] == RULES_VERSION
    assert completed["data"]["studyArea"] == {"source": "incidents", "areaKm2": run.study_area.area_km2}

    stored = store.get_run(ORG, run.id)
    assert stored is not None and stored.status is RunStatus.COMPLETED
    assert sorted(stored.cells, key=repr) == sorted(run.cells, key=repr)
    assert stored.knox == run.knox and stored.categories == run.categories
    assert (stored.rules_version, stored.study_area) == (RULES_VERSION, run.study_area)


def box_polygon(south: float, west: float, north: float, east: float) -> dict[str, object]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_the_study_area_is_the_jurisdiction_then_the_watch_groups(
    aws: ArgusAws, fixed_clock: clock.FixedClock
) -> None:
    """With a jurisdiction, the run analyses it and counts the incidents outside; without one, the union
    of the watch groups' boundaries."""
    city = planted_city(AS_OF, n=1500)
    save_items(city, ORG)
    south, west, north, east = BOX
    middle = (west + east) / 2
    jurisdiction.set_jurisdiction(admin(), box_polygon(south, west, north, middle))
    run = job.perform(ORG, requested())
    assert run.study_area is not None and run.study_area.source == "jurisdiction"
    west_half = int(np.sum(city.lng <= middle))
    assert run.study_area.incidents == west_half and run.study_area.outside == 1500 - west_half
    cells = [c.cell for c in run.cells]
    assert cells and all(h3.cell_to_latlng(c)[1] < middle for c in cells)

    jurisdiction.set_jurisdiction(admin(), None)
    propose(name="East Watch", boundary=box_polygon(south, middle, north, east))
    fixed_clock.advance(hours=1)  # a new moment: a new run
    later = job.perform(ORG, requested())
    assert later.study_area is not None and later.study_area.source == "watch-groups"
    assert later.study_area.outside == pytest.approx(west_half, abs=5)


def test_runs_stored_before_the_study_area_read_as_rules_1(aws: ArgusAws) -> None:
    save_items(planted_city(AS_OF, n=600, burst=False), ORG)
    run = job.perform(ORG, requested())
    # as a run completed before rules versions were recorded: neither attribute
    item = store.PatternRunItem.get(keys.run_pk(ORG, run.id), keys.RUN_SK)
    item.update(
        actions=[store.PatternRunItem.rules_version.remove(), store.PatternRunItem.study_area.remove()]
    )
    old = service.get_run(analyst(), run.id)  # type: ignore[arg-type]
    assert old.rules_version == 1 and old.study_area is None and old.cells == run.cells


def test_spatially_random_incidents_have_no_hot_spots(aws: ArgusAws) -> None:
    from argus.patterns.stats.synthetic import spatially_random

    from tests.factories.patterns import City

    random = spatially_random(11, n=2000, size_km=5.0, weeks=WEEKS)
    start = AS_OF - timedelta(weeks=WEEKS)
    times = [start + timedelta(days=float(d)) for d in random.day]
    save_items(City(random.lat, random.lng, times, ["other_theft"] * len(times)), ORG)
    run = job.perform(ORG, requested())
    assert run.incidents == 2000
    assert not [c for c in run.cells if c.hot or c.cold]
    assert run.detected == 0 and not outbox_events(aws, events.PATTERN_DETECTED)


def test_a_retried_run_emits_nothing_twice(aws: ArgusAws, monkeypatch: pytest.MonkeyPatch) -> None:
    save_items(planted_city(AS_OF, n=2000), ORG)
    run_id = requested()
    # the first attempt dies after emitting its events, before completing the run
    with monkeypatch.context() as patch:
        patch.setattr(store, "complete", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("lost")))
        with pytest.raises(RuntimeError):
            job.perform(ORG, run_id)
    first = outbox_events(aws, events.PATTERN_DETECTED)
    assert first and store.get_run(ORG, run_id).status is RunStatus.REQUESTED  # type: ignore[union-attr]

    run = job.perform(ORG, run_id)
    assert run.status is RunStatus.COMPLETED and run.detected == len(first)
    assert outbox_events(aws, events.PATTERN_DETECTED) == first
    again = job.perform(ORG, run_id)  # a completed run is returned as stored
    assert again.completed_at == run.completed_at
    assert len(outbox_events(aws, events.PATTERN_RUN_COMPLETED)) == 1


def test_the_consumer_performs_a_requested_run(aws: ArgusAws) -> None:
    save_items(planted_city(AS_OF, n=1500, burst=False), ORG)
    run_id = requested(8)
    (document,) = outbox_events(aws, events.PATTERN_RUN_REQUESTED)
    assert document["data"] == {"runId": run_id, "asOf": clock.iso(AS_OF), "weeks": 8, "actor": "officer-1"}

    body = json.dumps({"detail": document})
    assert pattern_job.handler(sqs_event(body), None) == {"batchItemFailures": []}
    run = service.get_run(analyst(), run_id)  # type: ignore[arg-type]
    assert run.status is RunStatus.COMPLETED and run.weeks == 8 and run.requested_by == "officer-1"
    assert 0 < run.incidents < 1500  # eight of the twelve weeks
    # redelivered: handled once
    assert pattern_job.handler(sqs_event(body), None) == {"batchItemFailures": []}
    assert len(outbox_events(aws, events.PATTERN_RUN_COMPLETED)) == 1


def test_the_nightly_schedule_requests_one_run_per_organisation(aws: ArgusAws) -> None:
    for slug in ("northshire", "southmoor"):
        organisations.create_organisation(admin(org=slug), organisation_draft(slug=slug, name=slug.title()))
    scheduled = {"scheduledTime": "2026-03-03T02:00:00Z"}
    first = pattern_schedule.handler(scheduled, None)["requested"]
    assert len(first) == 2
    assert pattern_schedule.handler(scheduled, None) == {"requested": []}  # a retried schedule
    documents = outbox_events(aws, events.PATTERN_RUN_REQUESTED)
    assert sorted(d["orgid"] for d in documents) == ["northshire", "southmoor"]
    assert {d["data"]["asOf"] for d in documents} == {"2026-03-03T00:00:00.000Z"}
    assert {d["data"]["actor"] for d in documents} == {SCHEDULER_ACTOR}
    assert {d["data"]["weeks"] for d in documents} == {52}
    with pytest.raises(Exception, match="scheduledTime"):
        pattern_schedule.handler({"scheduledTime": "tomorrow"}, None)


def test_performing_an_unknown_run_fails(aws: ArgusAws) -> None:
    with pytest.raises(NotFound):
        job.perform(ORG, "01a1fc4a-9c40-7d2e-8b61-5f0e3a9c7d12")
