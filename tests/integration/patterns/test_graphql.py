"""Pattern runs through the app's GraphQL schema: request, list, read with cells, GeoJSON, refusals."""

from __future__ import annotations

from datetime import timedelta

from argus.patterns import job, store
from argus.platform import clock
from argus.platform.auth.principal import Role
from argus.platform.outbox import UnitOfWork

from tests.factories.patterns import planted_city, save_items
from tests.factories.principals import ORG, principal
from tests.fakes.aws import ArgusAws
from tests.integration.test_graphql import codes, execute
from tests.integration.watch.support import counting_dynamodb_requests

REQUEST = "mutation($weeks: Int!) { requestPatternRun(weeks: $weeks) { id status weeks requestedBy } }"
RUN = """query($id: ID!) {
  patternRun(id: $id) {
    id status asOf incidents hotCells coldCells detected
    categories { category cells }
    knox { category incidents observed expected ratio pValue }
    cells(layer: EMERGING) { layer cell resolution z pFdr hot cold category }
    all: cells(significantOnly: false) { cell }
  }
}"""
LIST = "query { patternRuns(first: 5) { nodes { id status cells { cell } } pageInfo { hasNextPage } } }"
GEOJSON = "query($id: ID!) { patternHotspotsGeoJson(runId: $id) }"


async def test_a_run_requested_read_and_mapped(aws: ArgusAws) -> None:
    save_items(planted_city(clock.now(), n=2000), ORG)
    officer = principal(Role.OFFICER, sub="officer-1")
    requested = await execute(REQUEST, officer, {"weeks": 12})
    assert requested["errors"] == []
    run_id = requested["data"]["requestPatternRun"]["id"]
    assert requested["data"]["requestPatternRun"] == {
        "id": run_id,
        "status": "REQUESTED",
        "weeks": 12,
        "requestedBy": "officer-1",
    }
    not_yet = await execute(GEOJSON, officer, {"id": run_id})
    assert codes(not_yet) == ["CONFLICT"]

    job.perform(ORG, run_id)
    analyst = principal(Role.ANALYST)
    read = await execute(RUN, analyst, {"id": run_id})
    assert read["errors"] == []
    run = read["data"]["patternRun"]
    assert run["status"] == "COMPLETED" and run["incidents"] == 2000
    assert run["cells"] and {c["layer"] for c in run["cells"]} == {"EMERGING"}
    assert any(c["category"] == "new hot spot" and c["hot"] for c in run["cells"])
    assert len(run["all"]) > len(run["cells"])  # every cell of the map, not only the significant ones
    assert sum(c["cells"] for c in run["categories"]) == len(run["cells"])
    assert {k["category"] for k in run["knox"]} == {"burglary", "vehicle_crime"}

    listed = await execute(LIST, analyst)
    (node,) = listed["data"]["patternRuns"]["nodes"]
    assert node["id"] == run_id and node["cells"]  # a listed run loads its cells when asked
    geojson = (await execute(GEOJSON, analyst, {"id": run_id}))["data"]["patternHotspotsGeoJson"]
    assert geojson["type"] == "FeatureCollection" and geojson["features"]


async def test_members_and_captains_are_refused(aws: ArgusAws) -> None:
    for role in (Role.MEMBER, Role.CAPTAIN, Role.RESIDENT):
        who = principal(role)
        assert codes(await execute(REQUEST, who, {"weeks": 8})) == ["FORBIDDEN"]
        assert codes(await execute(LIST, who)) == ["FORBIDDEN"]
    bad = await execute(REQUEST, principal(Role.OFFICER), {"weeks": 200})
    assert codes(bad) == ["BAD_USER_INPUT"]


FAILURE = (
    "query($id: ID!) { patternRun(id: $id) { status completedAt failedAt failureReason cells { cell } } }"
)


async def test_a_failed_run_says_when_and_why(aws: ArgusAws, fixed_clock: clock.FixedClock) -> None:
    officer = principal(Role.OFFICER)
    run_id = (await execute(REQUEST, officer, {"weeks": 8}))["data"]["requestPatternRun"]["id"]
    requested = await execute(FAILURE, officer, {"id": run_id})
    assert requested["data"]["patternRun"] == {
        "status": "REQUESTED",
        "completedAt": None,
        "failedAt": None,
        "failureReason": None,
        "cells": [],
    }
    # the pattern job's last attempt failed
    fixed_clock.advance(minutes=3)
    uow = UnitOfWork()
    store.mark_failed(uow, ORG, run_id, clock.now(), "QueryError")
    uow.commit()

    failed = await execute(FAILURE, principal(Role.ANALYST), {"id": run_id})
    assert failed["errors"] == []
    assert failed["data"]["patternRun"] == {
        "status": "FAILED",
        "completedAt": None,
        "failedAt": "2026-03-02T18:33:00+00:00",
        "failureReason": "QueryError",
        "cells": [],
    }
    listed = await execute(LIST, officer)
    assert [(n["id"], n["status"]) for n in listed["data"]["patternRuns"]["nodes"]] == [(run_id, "FAILED")]
    no_map = await execute(GEOJSON, officer, {"id": run_id})
    assert codes(no_map) == ["CONFLICT"] and "failed" in no_map["errors"][0]["message"]


LIST_WITH_ALL_CELLS = (
    "query { patternRuns(first: 10) { nodes { id cells(significantOnly: false) { cell } } } }"
)


async def test_a_list_of_runs_loads_every_runs_cells_in_one_batch(aws: ArgusAws) -> None:
    save_items(planted_city(clock.now(), n=1200), ORG)
    analyst = principal(Role.ANALYST)
    run_ids = []
    for hours in (0, 1, 2):  # three runs, each as of another moment
        with clock.use_clock(clock.FixedClock(clock.now() + timedelta(hours=hours))):
            run_ids.append((await execute(REQUEST, analyst, {"weeks": 6}))["data"]["requestPatternRun"]["id"])
        job.perform(ORG, run_ids[-1])
    one_by_one = {
        run_id: [
            c["cell"] for c in (await execute(RUN, analyst, {"id": run_id}))["data"]["patternRun"]["all"]
        ]
        for run_id in run_ids
    }
    assert all(one_by_one.values())

    with counting_dynamodb_requests() as requests:
        listed = await execute(LIST_WITH_ALL_CELLS, analyst)
    assert listed["errors"] == []
    nodes = listed["data"]["patternRuns"]["nodes"]
    assert {n["id"]: [c["cell"] for c in n["cells"]] for n in nodes} == one_by_one
    # one query for the list, one batch for every run's cells: not one query per run
    assert requests.operations == ["Query", "BatchGetItem"]
