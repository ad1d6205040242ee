"""A pattern run whose job keeps failing: the pattern-job consumer's last attempt turns the run failed with
pattern.run-failed (never a completed run, never twice), the message still goes to the dead-letter queue,
and a new request for the same moment requests the failed run again."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from argus.consumers import PATTERN_JOB
from argus.handlers import pattern_job, pattern_schedule
from argus.organisations import service as organisations
from argus.patterns import events, job, service, store
from argus.patterns.model import SCHEDULER_ACTOR, Layer, PatternCell, PatternRun, RunStatus
from argus.platform import clock, keys
from argus.platform.auth.principal import Role
from argus.platform.errors import Conflict
from argus.platform.outbox import UnitOfWork
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from tests.factories.events import sqs_event
from tests.factories.organisations import organisation_draft
from tests.factories.patterns import planted_city, save_items
from tests.factories.principals import ORG, admin, principal
from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import outbox_events

AS_OF = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)  # the fixed clock's now
LAST = PATTERN_JOB.max_receive_count


class QueryError(Exception):
    """Stands for an error of the table while the job reads incidents."""


def read_fails(*args: Any, **kwargs: Any) -> Any:
    raise QueryError("incident 5f0e… at 12 High Street could not be read")


def request(weeks: int = 12) -> PatternRun:
    return service.request_run(principal(Role.OFFICER, sub="officer-1"), weeks)


def deliver(run_id: str, aws: ArgusAws, receive_count: int) -> None:
    """The run's pattern.run-requested event (the latest), delivered to the pattern-job Lambda."""
    document = [d for d in outbox_events(aws, events.PATTERN_RUN_REQUESTED) if d["subject"] == run_id][-1]
    pattern_job.handler(sqs_event(json.dumps({"detail": document}), receive_count=receive_count), None)


def stored(run_id: str, org_id: str = ORG) -> PatternRun:
    run = store.get_run(org_id, run_id, consistent=True)
    assert run is not None
    return run


def processed_by_the_job(aws: ArgusAws) -> list[dict[str, Any]]:
    return [
        i
        for i in aws.items_of_kind("processed-event")
        if i["PK"]["S"] == keys.processed_pk(ORG, PATTERN_JOB.name)
    ]


def test_the_last_failed_attempt_marks_the_run_failed(
    aws: ArgusAws, monkeypatch: pytest.MonkeyPatch, fixed_clock: clock.FixedClock
) -> None:
    # Given a requested run whose job fails on every attempt
    run = request()
    monkeypatch.setattr(job, "read_points", read_fails)
    # When the attempts before the last fail, Then the run stays requested and nothing is announced
    for attempt in range(1, LAST):
        with pytest.raises(BatchProcessingError):
            deliver(run.id, aws, attempt)
        assert stored(run.id).status is RunStatus.REQUESTED
    assert outbox_events(aws, events.PATTERN_RUN_FAILED) == []
    # When the last attempt fails too
    fixed_clock.advance(minutes=7)
    with pytest.raises(BatchProcessingError):  # still raised: SQS moves the message to the DLQ
        deliver(run.id, aws, LAST)
    # Then the run is failed, with when and a short reason code
    failed = stored(run.id)
    assert failed.status is RunStatus.FAILED
    assert failed.failed_at == clock.now() and failed.failure_reason == "QueryError"
    assert failed.completed_at is None and failed.requested_by == "officer-1" and failed.weeks == 12
    # And pattern.run-failed says so, without the error's message
    (announced,) = outbox_events(aws, events.PATTERN_RUN_FAILED)
    assert announced["subject"] == run.id
    assert announced["data"] == {
        "runId": run.id,
        "asOf": clock.iso(AS_OF),
        "weeks": 12,
        "reason": "QueryError",
    }
    assert "High Street" not in json.dumps(announced)
    # And the request is not taken as handled
    assert processed_by_the_job(aws) == []


def test_a_second_last_attempt_changes_nothing(
    aws: ArgusAws, monkeypatch: pytest.MonkeyPatch, fixed_clock: clock.FixedClock
) -> None:
    run = request()
    monkeypatch.setattr(job, "read_points", read_fails)
    with pytest.raises(BatchProcessingError):
        deliver(run.id, aws, LAST)
    first = stored(run.id)
    # a duplicate of the message fails its last attempt later
    fixed_clock.advance(minutes=30)
    with pytest.raises(BatchProcessingError):
        deliver(run.id, aws, LAST)
    assert stored(run.id).failed_at == first.failed_at
    assert len(outbox_events(aws, events.PATTERN_RUN_FAILED)) == 1


def test_a_completed_run_is_never_marked_failed(aws: ArgusAws, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a run completed (by another delivery of its request)
    save_items(planted_city(AS_OF, n=1500, burst=False), ORG)
    run = request()
    completed = job.perform(ORG, run.id)
    # When a delivery of its request fails on the last attempt
    monkeypatch.setattr(job, "perform", read_fails)
    with pytest.raises(BatchProcessingError):
        deliver(run.id, aws, LAST)
    # Then the run is still completed, with its results, and no failure is announced
    after = stored(run.id)
    assert after.status is RunStatus.COMPLETED and after.failed_at is None and after.failure_reason is None
    assert after.incidents == completed.incidents and after.cells
    assert outbox_events(aws, events.PATTERN_RUN_FAILED) == []


def test_the_failed_state_is_written_from_requested_only(aws: ArgusAws) -> None:
    # Given a completed run (the race: completed between the final failure's read and its write)
    run = request()
    uow = UnitOfWork()
    run.status, run.completed_at = RunStatus.COMPLETED, clock.now()
    store.complete(uow, run, 0)
    uow.commit()
    # When the failed state is written, Then the condition refuses it
    uow = UnitOfWork()
    store.mark_failed(uow, ORG, run.id, clock.now(), "QueryError")
    with pytest.raises(Conflict):
        uow.commit()
    assert stored(run.id).status is RunStatus.COMPLETED


def test_a_failed_run_whose_message_is_redriven_completes(
    aws: ArgusAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a failed run (the job could not read the incidents)
    save_items(planted_city(AS_OF, n=1500, burst=False), ORG)
    run = request()
    with monkeypatch.context() as patch:
        patch.setattr(job, "read_points", read_fails)
        with pytest.raises(BatchProcessingError):
            deliver(run.id, aws, LAST)
    assert stored(run.id).status is RunStatus.FAILED
    # When its message is redriven from the dead-letter queue once the fault is gone
    deliver(run.id, aws, 1)
    # Then the same request is performed after all: the run completes and its failure is cleared
    after = stored(run.id)
    assert after.status is RunStatus.COMPLETED and after.incidents > 0
    assert after.failed_at is None and after.failure_reason is None
    assert len(outbox_events(aws, events.PATTERN_RUN_COMPLETED)) == 1
    assert len(processed_by_the_job(aws)) == 1


# --- requesting a failed run again ---------------------------------------------------------------


def fail(run_id: str, reason: str = "QueryError") -> None:
    uow = UnitOfWork()
    store.mark_failed(uow, ORG, run_id, clock.now(), reason)
    uow.commit()


def test_a_retried_schedule_requests_a_failed_run_again(aws: ArgusAws, fixed_clock: clock.FixedClock) -> None:
    # Given the nightly run of northshire, failed
    organisations.create_organisation(admin(org=ORG), organisation_draft(slug=ORG, name="Northshire"))
    scheduled = {"scheduledTime": "2026-03-03T02:00:00Z"}
    (run_id,) = pattern_schedule.handler(scheduled, None)["requested"]
    fail(run_id)
    # When the schedule of that night runs again
    fixed_clock.advance(hours=9)
    assert pattern_schedule.handler(scheduled, None) == {"requested": [run_id]}
    # Then the same run is requested again, its failure cleared, with a fresh pattern.run-requested
    again = stored(run_id)
    assert again.status is RunStatus.REQUESTED and again.requested_at == clock.now()
    assert again.failed_at is None and again.failure_reason is None
    assert again.requested_by == SCHEDULER_ACTOR and again.as_of == datetime(2026, 3, 3, tzinfo=UTC)
    first, second = outbox_events(aws, events.PATTERN_RUN_REQUESTED)
    assert first["subject"] == second["subject"] == run_id and first["id"] != second["id"]
    assert first["data"] == second["data"]
    # And a run requested (or completed) is not requested twice
    assert pattern_schedule.handler(scheduled, None) == {"requested": []}
    assert len(outbox_events(aws, events.PATTERN_RUN_REQUESTED)) == 2


def test_a_request_at_the_moment_of_a_failed_run_requests_it_again(aws: ArgusAws) -> None:
    # Given a failed run of this very moment
    run = request(12)
    fail(run.id)
    # When staff ask for a run at the same moment (the id is derived from the organisation and asOf)
    again = service.request_run(principal(Role.ANALYST, sub="analyst-2"), 8)
    # Then the failed run is requested again, with the new request's parameters, instead of a conflict
    assert again.id == run.id and again.status is RunStatus.REQUESTED
    now = stored(run.id)
    assert (now.status, now.weeks, now.requested_by, now.failed_at) == (
        RunStatus.REQUESTED,
        8,
        "analyst-2",
        None,
    )
    assert len(outbox_events(aws, events.PATTERN_RUN_REQUESTED)) == 2
    # but a run requested and not failed still conflicts
    with pytest.raises(Conflict):
        request()


def test_a_completed_run_reads_only_the_cells_its_completion_wrote(aws: ArgusAws) -> None:
    # Given a failed attempt that wrote two pages of cells, then a completion that wrote one
    run = request()
    cell = PatternCell(Layer.HOTSPOT, "8a195da49b6ffff", 10, 0.5, 0.9, False, False, "no pattern detected")
    store.save_cells(ORG, run.id, [cell] * (store.CELLS_PER_PAGE + 10))
    fewer = [PatternCell(Layer.HOTSPOT, "8a195da49b67fff", 10, 3.1, 0.01, True, False, "new hot spot")]
    pages = store.save_cells(ORG, run.id, fewer)
    run.status, run.completed_at = RunStatus.COMPLETED, clock.now()
    uow = UnitOfWork()
    store.complete(uow, run, pages)
    uow.commit()
    # Then the run's cells are the completion's, not the failed attempt's leftovers
    assert stored(run.id).cells == fewer
