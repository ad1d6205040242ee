"""DynamoDB access for pattern runs (the only module of the domain that touches the table).

A run is one partition (``platform/keys/patterns.py``): its header (``RUN``), its cells in pages of
``CELLS_PER_PAGE`` (``CELLS#0000`` …, each well under DynamoDB's 400 KB item limit) and the markers of
the event batches it emitted (``EMITTED#0000`` …). Runs are listed newest first through GSI1.

A header is ``requested``, then ``completed`` or ``failed``; a failed header may be requested again (the
same item put anew: its id is derived from the organisation and ``asOf``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from argus.patterns.model import AreaSummary, KnoxSummary, PatternCell, PatternRun, RunStatus
from argus.platform import clock
from argus.platform.errors import ArgusError, Conflict
from argus.platform.keys import patterns as keys
from argus.platform.models import ArgusItem
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page, decode_cursor, encode_cursor

CELLS_PER_PAGE = 2000  # ~120 bytes a cell as JSON: ~240 KB an item


class PatternRunItem(ArgusItem, discriminator="pattern-run"):
    run_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    status = UnicodeAttribute()
    as_of = UTCDateTimeAttribute()
    weeks = NumberAttribute()
    requested_by = UnicodeAttribute()
    requested_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    failed_at = UTCDateTimeAttribute(null=True)
    failure_reason = UnicodeAttribute(null=True)  # a short code (an exception's class name), never data
    incidents = NumberAttribute(null=True)
    hot_cells = NumberAttribute(null=True)
    cold_cells = NumberAttribute(null=True)
    detected = NumberAttribute(null=True)
    pages = NumberAttribute(null=True)
    categories = UnicodeAttribute(null=True)  # JSON object: emerging category -> cells
    knox = UnicodeAttribute(null=True)  # JSON list of KnoxSummary
    rules_version = NumberAttribute(null=True)  # absent: rules 1 (runs stored before it was recorded)
    study_area = UnicodeAttribute(null=True)  # JSON of AreaSummary


class PatternCellsItem(ArgusItem, discriminator="pattern-cells"):
    cells = UnicodeAttribute()  # JSON list of PatternCell.to_json()


class PatternEmittedItem(ArgusItem, discriminator="pattern-emitted"):
    events_count = NumberAttribute()


class AlreadyEmitted(ArgusError):
    """This batch of ``pattern.detected`` events was emitted before (a retried run)."""

    code = "CONFLICT"


def _to_item(run: PatternRun, pages: int | None = None) -> PatternRunItem:
    return PatternRunItem(
        PK=keys.run_pk(run.org_id, run.id),
        SK=keys.RUN_SK,
        GSI1PK=keys.runs_pk(run.org_id),
        GSI1SK=keys.runs_sk(clock.iso(run.as_of), run.id),
        run_id=run.id,
        org_id=run.org_id,
        status=run.status.value,
        as_of=run.as_of,
        weeks=run.weeks,
        requested_by=run.requested_by,
        requested_at=run.requested_at,
        completed_at=run.completed_at,
        failed_at=run.failed_at,
        failure_reason=run.failure_reason,
        incidents=run.incidents,
        hot_cells=run.hot_cells,
        cold_cells=run.cold_cells,
        detected=run.detected,
        pages=pages,
        categories=json.dumps(run.categories, sort_keys=True),
        knox=json.dumps([asdict(k) for k in run.knox]),
        rules_version=run.rules_version if run.status is RunStatus.COMPLETED else None,
        study_area=json.dumps(run.study_area.to_json()) if run.study_area else None,
    )


def _from_item(item: PatternRunItem, cells: list[PatternCell] | None = None) -> PatternRun:
    return PatternRun(
        id=item.run_id,
        org_id=item.org_id,
        status=RunStatus(item.status),
        as_of=item.as_of,
        weeks=int(item.weeks),
        requested_by=item.requested_by,
        requested_at=item.requested_at,
        completed_at=item.completed_at,
        failed_at=item.failed_at,
        failure_reason=item.failure_reason,
        incidents=int(item.incidents or 0),
        hot_cells=int(item.hot_cells or 0),
        cold_cells=int(item.cold_cells or 0),
        detected=int(item.detected or 0),
        categories=json.loads(item.categories) if item.categories else {},
        knox=[KnoxSummary(**k) for k in json.loads(item.knox)] if item.knox else [],
        cells=cells or [],
        pages=int(item.pages or 0) if item.status == RunStatus.COMPLETED.value else 0,
        rules_version=int(item.rules_version or 1) if item.status == RunStatus.COMPLETED.value else None,
        study_area=AreaSummary.from_json(json.loads(item.study_area)) if item.study_area else None,
    )


def add_requested(uow: UnitOfWork, run: PatternRun, *, on_exists: ArgusError) -> None:
    """The header of a requested run, new or replacing a failed run of the same id (its failure is
    cleared); ``on_exists`` when a run with its id is requested or completed."""
    uow.put(
        _to_item(run),
        condition=PatternRunItem.PK.does_not_exist() | (PatternRunItem.status == RunStatus.FAILED.value),
        on_condition_failed=on_exists,
    )


def mark_failed(uow: UnitOfWork, org_id: str, run_id: str, failed_at: datetime, reason: str) -> None:
    """Turn a requested run ``failed`` (Conflict if it is not requested: a completed run stays so)."""
    uow.update(
        PatternRunItem(PK=keys.run_pk(org_id, run_id), SK=keys.RUN_SK),
        [
            PatternRunItem.status.set(RunStatus.FAILED.value),
            PatternRunItem.failed_at.set(failed_at),
            PatternRunItem.failure_reason.set(reason),
        ],
        condition=PatternRunItem.status == RunStatus.REQUESTED.value,
        on_condition_failed=Conflict("The pattern run is not requested any more."),
    )


def complete(uow: UnitOfWork, run: PatternRun, pages: int) -> None:
    """Turn the run's header ``completed`` (once: a second completion fails with Conflict)."""
    uow.put(
        _to_item(run, pages),
        condition=PatternRunItem.PK.does_not_exist() | (PatternRunItem.status != RunStatus.COMPLETED.value),
        on_condition_failed=Conflict("The pattern run was completed meanwhile."),
    )


def save_cells(org_id: str, run_id: str, cells: Sequence[PatternCell]) -> int:
    """Write the run's cells in pages (idempotent: the same cells give the same items); the page count."""
    pk = keys.run_pk(org_id, run_id)
    pages = [cells[i : i + CELLS_PER_PAGE] for i in range(0, len(cells), CELLS_PER_PAGE)]
    with PatternCellsItem.batch_write() as batch:
        for number, page in enumerate(pages):
            document = json.dumps([c.to_json() for c in page], separators=(",", ":"))
            batch.save(PatternCellsItem(PK=pk, SK=keys.cells_sk(number), cells=document))
    return len(pages)


def mark_emitted(uow: UnitOfWork, org_id: str, run_id: str, batch: int, count: int) -> None:
    """The marker of event batch ``batch``, committed with its events (AlreadyEmitted if it exists)."""
    uow.put(
        PatternEmittedItem(PK=keys.run_pk(org_id, run_id), SK=keys.emitted_sk(batch), events_count=count),
        condition=PatternEmittedItem.PK.does_not_exist(),
        on_condition_failed=AlreadyEmitted("These events were emitted before."),
    )


def get_run(
    org_id: str, run_id: str, *, with_cells: bool = True, consistent: bool = False
) -> PatternRun | None:
    try:
        item = PatternRunItem.get(keys.run_pk(org_id, run_id), keys.RUN_SK, consistent_read=consistent)
    except PatternRunItem.DoesNotExist:
        return None
    cells: list[PatternCell] = []
    if with_cells and item.status == RunStatus.COMPLETED.value and item.pages:
        # the pages this completion wrote: an earlier failed attempt may have left more behind
        last = keys.cells_sk(int(item.pages) - 1)
        pages = PatternCellsItem.query(item.PK, PatternCellsItem.SK.between(keys.cells_sk(0), last))
        for page in pages:
            cells.extend(PatternCell.from_json(d) for d in json.loads(page.cells))
    return _from_item(item, cells)


def cells_of_runs(org_id: str, runs: Sequence[tuple[str, int]]) -> dict[str, list[PatternCell]]:
    """The cells of completed runs given as (run id, pages), in BatchGetItem requests of up to 100 pages
    each rather than one query per run: what a list of runs asks for."""
    wanted = [(keys.run_pk(org_id, run_id), keys.cells_sk(n)) for run_id, pages in runs for n in range(pages)]
    documents = {(item.PK, item.SK): item.cells for item in PatternCellsItem.batch_get(wanted)}
    cells: dict[str, list[PatternCell]] = {}
    for run_id, pages in runs:
        pk = keys.run_pk(org_id, run_id)
        cells[run_id] = [
            PatternCell.from_json(d)
            for n in range(pages)
            for d in json.loads(documents.get((pk, keys.cells_sk(n)), "[]"))
        ]
    return cells


def list_runs(org_id: str, first: int, after: str | None) -> Page[PatternRun]:
    """The organisation's runs, newest first (headers only)."""
    pk = keys.runs_pk(org_id)
    start = decode_cursor(after, partition_attr="GSI1PK", partition_value=pk)
    results = ArgusItem.gsi1.query(pk, scan_index_forward=False, limit=first, last_evaluated_key=start)
    runs = [_from_item(i) for i in results if isinstance(i, PatternRunItem)]
    cursor = encode_cursor(results.last_evaluated_key)
    return Page(runs, cursor, cursor is not None)
