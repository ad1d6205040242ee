"""Pattern runs for people: who may ask and read, bad input, listing, and the GeoJSON of a run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from argus.patterns import job, service
from argus.patterns.model import Layer, RunStatus
from argus.platform import clock
from argus.platform.auth.principal import Role
from argus.platform.errors import BadUserInput, Conflict, Forbidden, NotFound
from jsonschema import Draft7Validator

from tests.factories.patterns import planted_city, save_items
from tests.factories.principals import ORG, OTHER_ORG, principal
from tests.fakes.aws import ArgusAws


def test_only_staff_may_ask_for_and_read_runs(aws: ArgusAws) -> None:
    run = service.request_run(principal(Role.ANALYST, sub="a-1"), 8)
    assert run.status is RunStatus.REQUESTED and run.requested_by == "a-1" and run.weeks == 8
    for role in (Role.MEMBER, Role.CAPTAIN, Role.RESIDENT, Role.PARTNER):
        with pytest.raises(Forbidden):
            service.request_run(principal(role))
        with pytest.raises(Forbidden):
            service.get_run(principal(role), run.id)
        with pytest.raises(Forbidden):
            service.list_runs(principal(role))
        with pytest.raises(Forbidden):
            service.hotspots_geojson(principal(role), run.id)
    for role in (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN):
        assert service.get_run(principal(role), run.id).id == run.id
    # another organisation's staff see nothing of it
    with pytest.raises(NotFound):
        service.get_run(principal(Role.ADMIN, org=OTHER_ORG), run.id)
    assert service.list_runs(principal(Role.ADMIN, org=OTHER_ORG)).items == []


def test_bad_input_is_refused(aws: ArgusAws, fixed_clock: clock.FixedClock) -> None:
    officer = principal(Role.OFFICER)
    for weeks in (1, 105, -3):
        with pytest.raises(BadUserInput, match="weeks"):
            service.request_run(officer, weeks)
    with pytest.raises(BadUserInput, match="first"):
        service.list_runs(officer, first=0)
    with pytest.raises(BadUserInput):
        service.list_runs(officer, after="not-a-cursor")
    service.request_run(officer)
    with pytest.raises(Conflict):  # the same moment again
        service.request_run(officer)
    with pytest.raises(NotFound):
        service.get_run(officer, "no-such-run")


def test_runs_are_listed_newest_first_in_pages(aws: ArgusAws, fixed_clock: clock.FixedClock) -> None:
    officer = principal(Role.OFFICER)
    ids = []
    for _ in range(5):
        ids.append(service.request_run(officer).id)
        fixed_clock.advance(minutes=1)
    first = service.list_runs(officer, first=3)
    assert [r.id for r in first.items] == ids[::-1][:3] and first.has_next_page
    rest = service.list_runs(officer, first=3, after=first.end_cursor)
    assert [r.id for r in rest.items] == ids[::-1][3:]
    with pytest.raises(BadUserInput):  # a cursor is good for its own organisation only
        service.list_runs(principal(Role.OFFICER, org=OTHER_ORG), after=first.end_cursor)


def test_the_geojson_of_a_run_validates(aws: ArgusAws, shared_dir: Path) -> None:
    save_items(planted_city(clock.now(), n=1500), ORG)
    requested = service.request_run(principal(Role.OFFICER), 12)
    with pytest.raises(Conflict, match="not completed"):
        service.hotspots_geojson(principal(Role.ANALYST), requested.id)
    run = job.perform(ORG, requested.id)
    collection = service.hotspots_geojson(principal(Role.ANALYST), run.id)
    schema = json.loads((shared_dir / "standards/geojson/schema/FeatureCollection.json").read_text())
    assert not list(Draft7Validator(schema).iter_errors(collection))
    shown = {(f["properties"]["layer"], f["properties"]["cell"]) for f in collection["features"]}
    expected = {(c.layer.value, c.cell) for c in run.cells if c.layer is Layer.EMERGING or c.hot or c.cold}
    assert shown == expected and shown
    for feature in collection["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) == 7  # a closed hexagon
        assert set(feature["properties"]) == {
            "layer",
            "cell",
            "resolution",
            "z",
            "pFdr",
            "hot",
            "cold",
            "category",
        }
