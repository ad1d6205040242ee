"""A consumer's last attempt: when the handler raises on the delivery whose ApproximateReceiveCount reaches
the consumer's max_receive_count, the declared ``on_final_failure`` commits its writes, the record is still
reported as failed (so SQS dead-letters it), and the event is not marked processed."""

from __future__ import annotations

from typing import Any

import pytest
from argus.organisations.store import SlugItem
from argus.platform import keys
from argus.platform.cloudevents import CloudEvent
from argus.platform.consumers import ConsumerSpec, handle_once, sqs_consumer
from argus.platform.errors import Conflict
from argus.platform.outbox import UnitOfWork
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from tests.factories.events import cloudevent, sqs_body, sqs_event
from tests.fakes.aws import ArgusAws

SPEC = ConsumerSpec(
    name="probe",
    handler="tests.probe.handler",
    event_pattern={"source": [{"prefix": "argus."}]},
    description="A probe consumer.",
    max_receive_count=3,
)


class ProbeFailure(RuntimeError):
    pass


def probe(pk: str, org_id: str = "northshire") -> SlugItem:
    return SlugItem(PK=pk, SK="PROBE", org_id=org_id)


def handler(event: CloudEvent, uow: UnitOfWork) -> None:
    """Writes a probe, then fails on events whose subject is "fails" (with data in its message)."""
    uow.put(probe(f"HANDLED#{event.get_id()}"))
    if event.get_subject() == "fails":
        raise ProbeFailure(f"resident 07700 900123 at {event.get_id()}")


class FinalFailures:
    """An ``on_final_failure`` that records what it was told as a probe item."""

    def __init__(self, raises: list[Exception] | None = None) -> None:
        self.calls: list[tuple[str, str]] = []
        self._raises = list(raises or [])

    def __call__(self, event: CloudEvent, reason: str, uow: UnitOfWork) -> None:
        self.calls.append((event.get_id(), reason))
        if self._raises:
            raise self._raises.pop(0)
        uow.put(probe(f"FAILED#{event.get_id()}", org_id=reason))


def items_with(aws: ArgusAws, prefix: str) -> list[dict[str, Any]]:
    return [i for i in aws.items() if i["PK"]["S"].startswith(prefix)]


def processed_ids(aws: ArgusAws) -> set[str]:
    return {i["SK"]["S"] for i in aws.items_of_kind("processed-event")}


def test_the_last_attempt_records_the_failure_and_still_fails(aws: ArgusAws) -> None:
    # Given a batch of a good event and a failing one, on their third and last delivery
    final = FinalFailures()
    lambda_handler = sqs_consumer(SPEC, handler, on_final_failure=final)
    good, bad = cloudevent(), cloudevent(subject="fails")
    # When the consumer handles it
    response = lambda_handler(sqs_event(sqs_body(good), sqs_body(bad), receive_count=3), None)
    # Then the failing record is still reported, so SQS moves it to the dead-letter queue
    assert response == {"batchItemFailures": [{"itemIdentifier": "message-1"}]}
    # And the final failure was told the event and the exception's class name, never its message
    assert final.calls == [(bad.get_id(), "ProbeFailure")]
    (failed,) = items_with(aws, "FAILED#")
    assert failed["PK"]["S"] == f"FAILED#{bad.get_id()}" and failed["org_id"]["S"] == "ProbeFailure"
    assert "07700" not in repr(aws.items())
    # And the failed event is not marked processed, nor are its handler's writes kept
    assert processed_ids(aws) == {keys.processed_sk(good.get_id())}
    assert [i["PK"]["S"] for i in items_with(aws, "HANDLED#")] == [f"HANDLED#{good.get_id()}"]


@pytest.mark.parametrize("receive_count", [1, 2, None])
def test_earlier_attempts_record_nothing(aws: ArgusAws, receive_count: int | None) -> None:
    # Given a failing event on an earlier delivery (or without a receive count: not known to be the last)
    final = FinalFailures()
    lambda_handler = sqs_consumer(SPEC, handler, on_final_failure=final)
    batch = sqs_event(
        sqs_body(cloudevent()), sqs_body(cloudevent(subject="fails")), receive_count=receive_count
    )
    # When the consumer handles it, Then the failure is reported for a retry and nothing else happens
    assert lambda_handler(batch, None) == {"batchItemFailures": [{"itemIdentifier": "message-1"}]}
    assert final.calls == [] and items_with(aws, "FAILED#") == []


def test_a_success_on_the_last_attempt_records_no_failure(aws: ArgusAws) -> None:
    final = FinalFailures()
    lambda_handler = sqs_consumer(SPEC, handler, on_final_failure=final)
    assert lambda_handler(sqs_event(sqs_body(cloudevent()), receive_count=3), None) == {
        "batchItemFailures": []
    }
    assert final.calls == [] and items_with(aws, "FAILED#") == []


def test_a_single_failing_record_fails_the_invocation_after_recording(aws: ArgusAws) -> None:
    # Given a batch of one (as the pattern job takes), failing on its last delivery
    final = FinalFailures()
    lambda_handler = sqs_consumer(SPEC, handler, on_final_failure=final)
    event = cloudevent(subject="fails")
    # When it is handled, Then the whole invocation fails (SQS retries or dead-letters the batch)
    with pytest.raises(BatchProcessingError):
        lambda_handler(sqs_event(sqs_body(event), receive_count=3), None)
    # And the failure was recorded first
    assert final.calls == [(event.get_id(), "ProbeFailure")]
    assert len(items_with(aws, "FAILED#")) == 1


def test_a_failed_event_redelivered_later_runs_again(aws: ArgusAws) -> None:
    # Given an event whose last attempt failed (say, redriven from the dead-letter queue after a fix)
    event = cloudevent(subject="fails")
    lambda_handler = sqs_consumer(SPEC, handler, on_final_failure=FinalFailures())
    lambda_handler(sqs_event(sqs_body(event), sqs_body(cloudevent()), receive_count=3), None)
    # When it comes again to a handler that now works, Then it runs: it was never marked processed
    assert handle_once(SPEC.name, event, lambda e, uow: uow.put(probe("FIXED#" + e.get_id()))) is True
    assert len(items_with(aws, "FIXED#")) == 1


def test_a_conflict_runs_the_final_failure_once_more(aws: ArgusAws) -> None:
    # Given an on_final_failure whose first commit conflicts (the state changed between read and write)
    final = FinalFailures(raises=[Conflict("changed meanwhile")])
    lambda_handler = sqs_consumer(SPEC, handler, on_final_failure=final)
    event = cloudevent(subject="fails")
    batch = sqs_event(sqs_body(event), sqs_body(cloudevent()), receive_count=3)
    # When the last attempt fails, Then it is run again on what is stored now, and its writes commit
    assert lambda_handler(batch, None) == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert [reason for _, reason in final.calls] == ["ProbeFailure", "ProbeFailure"]
    assert len(items_with(aws, "FAILED#")) == 1


def test_a_broken_final_failure_does_not_hide_the_handlers_failure(aws: ArgusAws) -> None:
    # Given an on_final_failure that itself fails, every time
    final = FinalFailures(raises=[RuntimeError("table unavailable"), RuntimeError("table unavailable")])
    lambda_handler = sqs_consumer(SPEC, handler, on_final_failure=final)
    event = cloudevent(subject="fails")
    batch = sqs_event(sqs_body(event), sqs_body(cloudevent()), receive_count=3)
    # When the last attempt fails, Then the record is reported failed as before, once tried
    assert lambda_handler(batch, None) == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert len(final.calls) == 1
    assert items_with(aws, "FAILED#") == [] and keys.processed_sk(event.get_id()) not in processed_ids(aws)


def test_the_last_attempt_is_the_consumers_own_max_receive_count(aws: ArgusAws) -> None:
    # Given a consumer declared with five attempts
    final = FinalFailures()
    five = ConsumerSpec(
        name="patient",
        handler="tests.patient.handler",
        event_pattern={},
        description="x",
        max_receive_count=5,
    )
    lambda_handler = sqs_consumer(five, handler, on_final_failure=final)
    for attempt in range(1, 6):
        batch = sqs_event(
            sqs_body(cloudevent(subject="fails")), sqs_body(cloudevent()), receive_count=attempt
        )
        lambda_handler(batch, None)
    # Then only the fifth delivery counted as the last
    assert len(final.calls) == 1
