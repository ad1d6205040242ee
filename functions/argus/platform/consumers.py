"""Event consumers: one declaration each (name, handler, event pattern, batch size) drives both the
CDK stacks (queue, DLQ, rule, function, event source mapping) and the local stack's poller.

A consumer's handler runs once per event: the runner writes a processed-event marker keyed by the
event id in the same transaction as the consumer's own writes, so a redelivered event changes
nothing. Failed records are reported as batch item failures, retried, and after
``max_receive_count`` attempts land in the consumer's dead-letter queue.

A consumer may declare what its last failed attempt leaves behind (``on_final_failure``): when the
handler raises on the delivery whose SQS ``ApproximateReceiveCount`` reaches the consumer's
``max_receive_count``, the runner calls it with the event and a short reason code (the exception's class
name, never its message), commits its writes and events in their own unit of work — without the
processed-event marker, so the event is not taken as handled — and then raises the handler's exception
again, so the message still lands in the dead-letter queue."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pynamodb.attributes import UnicodeAttribute

from argus.platform import clock, keys
from argus.platform.cloudevents import CloudEvent, parse_event
from argus.platform.errors import ArgusError, Conflict
from argus.platform.functions import FunctionSpec
from argus.platform.models import ArgusItem
from argus.platform.observability import logger
from argus.platform.outbox import UnitOfWork

PROCESSED_RETENTION = timedelta(days=30)
# How many environments Lambda may run a consumer in at once (its SQS event source mapping's maximum
# concurrency; Lambda accepts 2 to 1000). Batch work stays this small so it never starves the API.
DEFAULT_MAXIMUM_CONCURRENCY = 5
_CONCURRENCY_RANGE = range(2, 1001)

EventHandler = Callable[[CloudEvent, UnitOfWork], None]
# Called on the last delivery attempt whose handler raised: (event, reason code, unit of work).
FinalFailureHandler = Callable[[CloudEvent, str, UnitOfWork], None]
MAX_REASON_LENGTH = 64
FINAL_FAILURE_ATTEMPTS = 2
_REASON = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, kw_only=True)
class ConsumerSpec(FunctionSpec):
    """How one consumer is wired, on AWS and locally (its function: name, handler, dependency groups)."""

    event_pattern: dict[str, Any]
    description: str
    batch_size: int = 10
    max_receive_count: int = 3
    visibility_timeout_seconds: int = 60
    memory_mb: int = 256
    environment: dict[str, str] = field(default_factory=dict)
    # The runner (this module) imports pynamodb: every consumer's groups include "table".
    dependencies: tuple[str, ...] = ("table",)
    # At most this many concurrent invocations; messages beyond wait in the queue (not throttled, so
    # they do not use up receives and reach the dead-letter queue).
    maximum_concurrency: int = DEFAULT_MAXIMUM_CONCURRENCY

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.maximum_concurrency not in _CONCURRENCY_RANGE:
            raise ValueError(
                f"consumer {self.name}: maximum_concurrency must be 2 to 1000, got {self.maximum_concurrency}"
            )


class ProcessedEvent(ArgusItem, discriminator="processed-event"):
    """Marks that a consumer has handled an event (idempotency)."""

    consumer = UnicodeAttribute()
    event_type = UnicodeAttribute()


class _AlreadyProcessed(ArgusError):
    code = "CONFLICT"


def event_from_sqs_body(body: str) -> CloudEvent:
    """The CloudEvent inside an EventBridge → SQS message (the envelope's ``detail``)."""
    envelope = json.loads(body)
    return parse_event(envelope["detail"])


def handle_once(consumer: str, event: CloudEvent, handler: EventHandler) -> bool:
    """Run ``handler`` for ``event`` unless this consumer already has; True when it ran."""
    org_id = event.get_extension("orgid")
    pk, sk = keys.processed_pk(org_id, consumer), keys.processed_sk(event.get_id())
    # A redelivered event is skipped before the handler runs; the conditional put below settles races.
    if ProcessedEvent.count(pk, ProcessedEvent.SK == sk, consistent_read=True, limit=1):
        logger.info("duplicate event skipped", extra={"consumer": consumer, "event_id": event.get_id()})
        return False
    uow = UnitOfWork()
    uow.put(
        ProcessedEvent(
            PK=pk,
            SK=sk,
            consumer=consumer,
            event_type=event.get_type(),
            expires_at=clock.now() + PROCESSED_RETENTION,
        ),
        condition=ProcessedEvent.PK.does_not_exist(),
        on_condition_failed=_AlreadyProcessed("already processed"),
    )
    handler(event, uow)
    try:
        uow.commit()
    except _AlreadyProcessed:
        logger.info("duplicate event skipped", extra={"consumer": consumer, "event_id": event.get_id()})
        return False
    return True


def failure_reason(exc: BaseException) -> str:
    """A short, non-identifying code for a failure: the exception's class name (its message may hold
    data), at most ``MAX_REASON_LENGTH`` characters."""
    name = type(exc).__name__
    return name[:MAX_REASON_LENGTH] if _REASON.fullmatch(name) else "Exception"


def receive_count(record: SQSRecord) -> int | None:
    """How many times SQS has delivered ``record`` (its ``ApproximateReceiveCount``), if it says."""
    try:
        return int(record.attributes.approximate_receive_count)
    except (KeyError, TypeError, ValueError):
        return None


def _is_last_attempt(record: SQSRecord, max_receive_count: int) -> bool:
    """SQS moves a message to the dead-letter queue instead of delivering it a ``max_receive_count + 1``-th
    time, so the delivery numbered ``max_receive_count`` is the last. Without the count, it is not."""
    count = receive_count(record)
    return count is not None and count >= max_receive_count


def record_final_failure(
    consumer: str, event: CloudEvent, exc: BaseException, on_final_failure: FinalFailureHandler
) -> None:
    """Commit what ``on_final_failure`` writes for ``event`` after its handler's last failed attempt; a
    conflict (the state changed meanwhile) runs it once more on what is stored now. Never raises: the
    caller raises the handler's own exception next."""
    reason = failure_reason(exc)
    extra = {"consumer": consumer, "event_id": event.get_id(), "reason": reason}
    for attempt in range(1, FINAL_FAILURE_ATTEMPTS + 1):
        try:
            uow = UnitOfWork()
            on_final_failure(event, reason, uow)
            uow.commit()
        except Conflict:
            logger.info("final failure conflicted", extra={**extra, "attempt": attempt})
            continue
        except Exception:  # noqa: BLE001 - the handler's exception is what the runner reports
            logger.exception("recording the final failure failed", extra=extra)
            return
        logger.warning("last attempt failed; final failure handled before dead-lettering", extra=extra)
        return


def sqs_consumer(
    consumer: ConsumerSpec,
    handler: EventHandler,
    *,
    on_final_failure: FinalFailureHandler | None = None,
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda handler of the declared ``consumer``: runs ``handler`` once per event with partial
    batch failure reporting (and ``on_final_failure`` after the last failed attempt, known from the
    declaration's ``max_receive_count``)."""
    name = consumer.name
    max_receive_count = consumer.max_receive_count

    def record_handler(record: SQSRecord) -> None:
        event = event_from_sqs_body(record.body)
        logger.append_keys(event_id=event.get_id(), event_type=event.get_type())
        try:
            handle_once(name, event, handler)
        except Exception as exc:
            if on_final_failure is not None and _is_last_attempt(record, max_receive_count):
                record_final_failure(name, event, exc, on_final_failure)
            raise
        finally:
            logger.remove_keys(["event_id", "event_type"])

    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        processor = BatchProcessor(event_type=EventType.SQS)
        response = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
        return dict(response)

    lambda_handler.consumer = consumer  # type: ignore[attr-defined]  # which declaration it serves
    return lambda_handler
