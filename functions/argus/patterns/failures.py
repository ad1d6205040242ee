"""Pattern runs that fail: the pattern job's last attempt raised (``job.fail_requested``), or the run was
never performed at all (``fail_stalled_runs``, swept by the nightly schedule).

A run the job's Lambda never finishes — stopped at its 15-minute timeout or out of memory — raises nothing,
so no attempt can record it; SQS dead-letters the message and the run would stay ``requested``. The
nightly schedule therefore also fails every run still requested long after the job could have performed
it: three attempts 90 minutes apart (``PATTERN_JOB``) are over within 4.5 hours, and ``STALLED_AFTER`` is
well beyond, so that a run still waiting in a long queue is never taken for a stalled one."""

from __future__ import annotations

from datetime import datetime, timedelta

from argus.patterns import events, store
from argus.patterns.model import PatternRun, RunStatus
from argus.platform import clock
from argus.platform.errors import Conflict
from argus.platform.observability import logger
from argus.platform.outbox import UnitOfWork

STALLED_AFTER = timedelta(hours=12)
STALLED = "Stalled"
# How many of an organisation's newest runs the sweep looks at (one a night, plus staff requests).
SWEPT_RUNS = 50


def record_failure(uow: UnitOfWork, run: PatternRun, reason: str) -> None:
    """Turn the requested ``run`` failed with ``reason`` (a short code, never data) and
    ``pattern.run-failed``, in ``uow``; Conflict at commit if it is not requested any more."""
    store.mark_failed(uow, run.org_id, run.id, clock.now(), reason)
    uow.emit(
        events.pattern_event(
            events.PATTERN_RUN_FAILED,
            org_id=run.org_id,
            run_id=run.id,
            asOf=clock.iso(run.as_of),
            weeks=run.weeks,
            reason=reason,
        )
    )


def fail_stalled_runs(org_id: str, now: datetime) -> list[str]:
    """Fail (``Stalled``) the organisation's runs requested more than ``STALLED_AFTER`` before ``now`` and
    still requested; the ids failed now. A run completed meanwhile is left as it is."""
    failed: list[str] = []
    for run in store.list_runs(org_id, SWEPT_RUNS, None).items:
        if run.status is not RunStatus.REQUESTED or now - run.requested_at < STALLED_AFTER:
            continue
        uow = UnitOfWork()
        record_failure(uow, run, STALLED)
        try:
            uow.commit()
        except Conflict:
            continue  # performed or failed meanwhile
        logger.warning("stalled pattern run failed", extra={"org_id": org_id, "run_id": run.id})
        failed.append(run.id)
    return failed
