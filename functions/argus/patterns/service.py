"""Pattern runs for people and the scheduler: request a run (it is performed asynchronously by the
pattern job), read runs and their results, and the hotspot map as GeoJSON. Staff only (analysts,
officers, supervisors, admins): results are about places, but they steer policing.

No numpy or scipy here: this runs in the GraphQL and scheduler functions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from argus.geo import feature_collection
from argus.incidents.service.access import STAFF
from argus.organisations import store as organisations
from argus.patterns import events, store
from argus.patterns.failures import fail_stalled_runs
from argus.patterns.model import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    MIN_WEEKS,
    SCHEDULER_ACTOR,
    Layer,
    PatternRun,
    RunStatus,
    run_id_for,
)
from argus.platform import clock
from argus.platform.auth.principal import Principal
from argus.platform.errors import ArgusError, BadUserInput, Conflict, Forbidden, NotFound
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page

MAX_PAGE = 100


def require_staff(principal: Principal) -> None:
    if not principal.has_any_role(*STAFF):
        raise Forbidden("Only analysts, officers, supervisors and admins may see crime patterns.")


def _request(org_id: str, as_of: datetime, weeks: int, actor: str, on_exists: ArgusError) -> PatternRun:
    """Write the header of the run of ``as_of`` and ``pattern.run-requested``. The id is derived from the
    organisation and ``as_of``: a run of that id that failed is requested again (its failure cleared, a
    fresh event); one requested or completed raises ``on_exists``."""
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise BadUserInput(f"weeks must lie between {MIN_WEEKS} and {MAX_WEEKS}.", details={"field": "weeks"})
    run = PatternRun(
        id=run_id_for(org_id, as_of),
        org_id=org_id,
        status=RunStatus.REQUESTED,
        as_of=as_of,
        weeks=weeks,
        requested_by=actor,
        requested_at=clock.now(),
    )
    uow = UnitOfWork()
    store.add_requested(uow, run, on_exists=on_exists)
    uow.emit(
        events.pattern_event(
            events.PATTERN_RUN_REQUESTED,
            org_id=org_id,
            run_id=run.id,
            asOf=clock.iso(as_of),
            weeks=weeks,
            actor=actor,
        )
    )
    uow.commit()
    return run


def request_run(principal: Principal, weeks: int = DEFAULT_WEEKS) -> PatternRun:
    """Ask for a run over the ``weeks`` weeks before now; the pattern job performs it and emits
    ``pattern.run-completed`` (and ``pattern.detected`` per new, consecutive or intensifying hot spot),
    or, when its last attempt fails, turns it failed with ``pattern.run-failed``."""
    require_staff(principal)
    conflict = Conflict("A pattern run was requested at this very moment; try again.")
    return _request(principal.org_id, clock.now().astimezone(UTC), weeks, principal.sub, conflict)


def request_nightly_runs(scheduled_at: datetime) -> list[str]:
    """The nightly schedule: one run per organisation as of the start of the scheduled UTC day, so a
    retried schedule requests nothing twice, except a run that failed: that one is requested again.
    Runs stalled since an earlier night are failed first (``failures.fail_stalled_runs``).
    Returns the ids of the runs requested now."""
    day = scheduled_at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    requested: list[str] = []
    for org_id in organisations.all_organisation_ids():
        fail_stalled_runs(org_id, clock.now())
        try:
            run = _request(org_id, day, DEFAULT_WEEKS, SCHEDULER_ACTOR, _Exists("requested before"))
            requested.append(run.id)
        except _Exists:
            continue
    return requested


class _Exists(Conflict):
    pass


def get_run(principal: Principal, run_id: str) -> PatternRun:
    require_staff(principal)
    run = store.get_run(principal.org_id, run_id)
    if run is None:
        raise NotFound("No such pattern run.", details={"field": "id"})
    return run


def list_runs(principal: Principal, first: int | None = None, after: str | None = None) -> Page[PatternRun]:
    """The organisation's runs, newest first, without their cells."""
    require_staff(principal)
    size = 20 if first is None else first
    if not 1 <= size <= MAX_PAGE:
        raise BadUserInput(f"first must lie between 1 and {MAX_PAGE}.", details={"field": "first"})
    return store.list_runs(principal.org_id, size, after)


def hotspots_geojson(principal: Principal, run_id: str) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection of the run's H3 cell polygons: the significant cells of the hotspot
    map and the cube's cells with an emerging category. Places and statistics only, no incidents."""
    run = get_run(principal, run_id)
    if run.status is RunStatus.FAILED:
        raise Conflict("The pattern run failed; request a new one.", details={"field": "id"})
    if run.status is not RunStatus.COMPLETED:
        raise Conflict("The pattern run has not completed yet.", details={"field": "id"})
    import h3  # here, not at module level: the GraphQL function's cold start does not pay for it

    features: list[Any] = []
    for cell in run.cells:
        if cell.layer is Layer.HOTSPOT and not (cell.hot or cell.cold):
            continue
        # h3 gives the boundary counter-clockwise in (lng, lat): RFC 7946's exterior ring orientation
        ring = [[round(lng, 7), round(lat, 7)] for lat, lng in h3.cell_to_boundary(cell.cell)]
        ring.append(ring[0])
        properties = {
            "layer": cell.layer.value,
            "cell": cell.cell,
            "resolution": cell.resolution,
            "z": cell.z,
            "pFdr": cell.p_fdr,
            "hot": cell.hot,
            "cold": cell.cold,
            "category": cell.category,
        }
        features.append(({"type": "Polygon", "coordinates": [ring]}, properties, f"{cell.layer}:{cell.cell}"))
    return feature_collection(features)
