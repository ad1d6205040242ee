"""A pattern run the job never finishes (its Lambda stopped at the timeout or out of memory raises
nothing): the nightly schedule fails it as stalled, with pattern.run-failed, once it has been requested
far longer than the job could take."""

from __future__ import annotations

from datetime import timedelta

from argus.handlers import pattern_schedule
from argus.organisations import service as organisations
from argus.patterns import events, job, service, store
from argus.patterns.failures import STALLED, STALLED_AFTER
from argus.patterns.model import PatternRun, RunStatus
from argus.platform import clock
from argus.platform.auth.principal import Role

from tests.factories.organisations import organisation_draft
from tests.factories.principals import ORG, admin, principal
from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import outbox_events


def requested_at(moment: clock.FixedClock, hours_ago: float) -> PatternRun:
    with clock.use_clock(clock.FixedClock(moment.current - timedelta(hours=hours_ago))):
        return service.request_run(principal(Role.OFFICER, sub="officer-1"), 4)


def status(run_id: str) -> RunStatus:
    run = store.get_run(ORG, run_id, with_cells=False, consistent=True)
    assert run is not None
    return run.status


def test_the_schedule_fails_runs_stalled_since_an_earlier_night(
    aws: ArgusAws, fixed_clock: clock.FixedClock
) -> None:
    organisations.create_organisation(admin(org=ORG), organisation_draft(slug=ORG, name="Northshire"))
    stale_hours = STALLED_AFTER.total_seconds() / 3600 + 1
    stalled = requested_at(fixed_clock, stale_hours)
    recent = requested_at(fixed_clock, 1)
    performed = requested_at(fixed_clock, stale_hours + 1)
    job.perform(ORG, performed.id)

    pattern_schedule.handler({"scheduledTime": clock.iso(fixed_clock.current)}, None)

    assert status(stalled.id) is RunStatus.FAILED
    failed = store.get_run(ORG, stalled.id, with_cells=False)
    assert failed is not None and failed.failure_reason == STALLED and failed.failed_at == clock.now()
    assert status(recent.id) is RunStatus.REQUESTED  # may still be waiting in the queue
    assert status(performed.id) is RunStatus.COMPLETED
    (announced,) = outbox_events(aws, events.PATTERN_RUN_FAILED)
    assert announced["subject"] == stalled.id and announced["data"]["reason"] == STALLED

    # A retried schedule announces nothing twice; a stalled run can be requested again like any failed one
    pattern_schedule.handler({"scheduledTime": clock.iso(fixed_clock.current)}, None)
    assert len(outbox_events(aws, events.PATTERN_RUN_FAILED)) == 1
