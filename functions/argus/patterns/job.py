"""The pattern job: performs a requested run (the ``pattern-job`` consumer of ``pattern.run-requested``).

Idempotent end to end, so a retried or redelivered request changes nothing twice: the cells are written
as the same items again, every batch of ``pattern.detected`` events commits together with a conditional
marker (a batch emitted before is skipped), and the header turns ``completed`` — with
``pattern.run-completed`` — exactly once. When the consumer's last attempt raises, ``fail_requested`` turns
a still requested run ``failed`` with ``pattern.run-failed``. Needs the pattern layer (numpy, scipy, h3)."""

from __future__ import annotations

from datetime import timedelta

from argus.organisations import store as organisations
from argus.patterns import area, events, store
from argus.patterns.analysis import DAYS_PER_WEEK, Points, analyse, read_points
from argus.patterns.failures import record_failure
from argus.patterns.model import RULES_VERSION, Layer, PatternCell, PatternRun, RunStatus
from argus.platform import clock
from argus.platform.cloudevents import CloudEvent
from argus.platform.errors import Conflict, NotFound
from argus.platform.observability import logger
from argus.platform.outbox import MAX_TRANSACTION_ITEMS, UnitOfWork

EVENTS_PER_BATCH = MAX_TRANSACTION_ITEMS - 1  # and the batch's marker


def perform(org_id: str, run_id: str) -> PatternRun:
    """Analyse and store run ``run_id`` (requested before); a completed run is returned as stored. A
    failed run is performed all the same (its message redriven from the dead-letter queue) and completes."""
    run = store.get_run(org_id, run_id, with_cells=False, consistent=True)
    if run is None:
        raise NotFound(f"No pattern run {run_id} in {org_id}.")
    if run.status is RunStatus.COMPLETED:
        return run
    start = run.as_of - timedelta(days=run.weeks * DAYS_PER_WEEK)
    points = read_points(org_id, start, run.as_of)
    analysis = analyse(points, run.weeks, study_area(org_id, points))
    pages = store.save_cells(org_id, run_id, analysis.cells)
    alerts = [c for c in analysis.cells if c.alerting]
    for number in range(0, len(alerts), EVENTS_PER_BATCH):
        _emit_batch(org_id, run_id, number // EVENTS_PER_BATCH, alerts[number : number + EVENTS_PER_BATCH])
    hotspot_layer = [c for c in analysis.cells if c.layer is Layer.HOTSPOT]
    run.status = RunStatus.COMPLETED
    run.completed_at = clock.now()
    run.failed_at, run.failure_reason = None, None
    run.incidents = points.size
    run.hot_cells = sum(c.hot for c in hotspot_layer)
    run.cold_cells = sum(c.cold for c in hotspot_layer)
    run.detected = len(alerts)
    run.categories = analysis.categories
    run.knox = analysis.knox
    run.rules_version = RULES_VERSION
    run.study_area = analysis.area
    where = (
        {"studyArea": {"source": analysis.area.source, "areaKm2": analysis.area.area_km2}}
        if analysis.area
        else {}
    )
    uow = UnitOfWork()
    store.complete(uow, run, pages)
    uow.emit(
        events.pattern_event(
            events.PATTERN_RUN_COMPLETED,
            org_id=org_id,
            run_id=run_id,
            asOf=clock.iso(run.as_of),
            weeks=run.weeks,
            incidents=run.incidents,
            hotCells=run.hot_cells,
            coldCells=run.cold_cells,
            detected=run.detected,
            rulesVersion=RULES_VERSION,
            **where,
        )
    )
    try:
        uow.commit()
    except Conflict:
        logger.info("pattern run completed meanwhile", extra={"run_id": run_id})
    run.cells = analysis.cells
    return run


def study_area(org_id: str, points: Points) -> area.StudyArea | None:
    """The organisation's jurisdiction, else the union of its watch groups, else the extent of the run's
    incidents (``argus.patterns.area``)."""
    from argus.watch.store.groups import boundaries

    jurisdiction = organisations.get_jurisdiction(org_id)
    return area.choose(
        jurisdiction.boundary if jurisdiction else None,
        boundaries(org_id) if jurisdiction is None else (),
        points.lng.tolist(),
        points.lat.tolist(),
    )


def _emit_batch(org_id: str, run_id: str, number: int, cells: list[PatternCell]) -> None:
    uow = UnitOfWork()
    store.mark_emitted(uow, org_id, run_id, number, len(cells))
    for cell in cells:
        uow.emit(
            events.pattern_event(
                events.PATTERN_DETECTED,
                org_id=org_id,
                run_id=run_id,
                cell=cell.cell,
                resolution=cell.resolution,
                category=cell.category,
                z=cell.z,
                p=cell.p_fdr,
            )
        )
    try:
        uow.commit()
    except store.AlreadyEmitted:
        logger.info("pattern events emitted before", extra={"run_id": run_id, "batch": number})


def _requested_run_id(event: CloudEvent) -> str | None:
    if event.get_type() != events.PATTERN_RUN_REQUESTED:
        return None
    data = event.get_data()
    if not isinstance(data, dict):
        raise ValueError("pattern.run-requested carries no data object")
    return str(data["runId"])


def perform_requested(event: CloudEvent, uow: UnitOfWork) -> None:
    """Consumer body: the run commits in its own transactions (too many items for ``uow``); the consumer's
    processed-event marker then commits in ``uow``."""
    run_id = _requested_run_id(event)
    if run_id is not None:
        perform(event.get_extension("orgid"), run_id)


def fail_requested(event: CloudEvent, reason: str, uow: UnitOfWork) -> None:
    """The consumer's last attempt at ``event`` raised: a run still requested turns ``failed`` with
    ``pattern.run-failed`` (in ``uow``); a completed or already failed run is left as it is."""
    run_id = _requested_run_id(event)
    if run_id is None:
        return
    org_id = event.get_extension("orgid")
    run = store.get_run(org_id, run_id, with_cells=False, consistent=True)
    if run is None or run.status is not RunStatus.REQUESTED:
        logger.info("pattern run not requested: not marked failed", extra={"run_id": run_id})
        return
    record_failure(uow, run, reason)
