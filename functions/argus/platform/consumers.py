"""Event consumers: one declaration each (name, handler, event pattern, batch size) drives both the
CDK stacks (queue, DLQ, rule, function, event source mapping) and the local stack's poller.

A consumer's handler runs once per event: the runner writes a processed-event marker keyed by the
event id in the same transaction as the consumer's own writes, so a redelivered event changes
nothing. Failed records are reported as batch item failures, retried, and after
``max_receive_count`` attempts land in the consumer's dead-letter queue."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pynamodb.attributes import UnicodeAttribute

from argus.platform import clock, keys
from argus.platform.cloudevents import CloudEvent, parse_event
from argus.platform.errors import ArgusError
from argus.platform.models import ArgusItem
from argus.platform.observability import logger
from argus.platform.outbox import UnitOfWork

PROCESSED_RETENTION = timedelta(days=30)

EventHandler = Callable[[CloudEvent, UnitOfWork], None]


@dataclass(frozen=True)
class ConsumerSpec:
    """How one consumer is wired, on AWS and locally."""

    name: str
    handler: str  # dotted path of the Lambda handler, e.g. "argus.handlers.audit.handler"
    event_pattern: dict[str, Any]
    description: str
    batch_size: int = 10
    max_receive_count: int = 3
    visibility_timeout_seconds: int = 60
    memory_mb: int = 256
    environment: dict[str, str] = field(default_factory=dict)
    # The dependency layer the function runs on: "shared" (every function) or "patterns" (numpy, scipy
    # and h3 without the GraphQL and media libraries: scipy does not fit Lambda's 250 MB beside them).
    layer: str = "shared"

    @property
    def handler_module(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def handler_function(self) -> str:
        return self.handler.rsplit(".", 1)[1]


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


def sqs_consumer(consumer: str, handler: EventHandler) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Lambda handler for an SQS event source that runs ``handler`` once per event with partial
    batch failure reporting."""

    def record_handler(record: SQSRecord) -> None:
        event = event_from_sqs_body(record.body)
        logger.append_keys(event_id=event.get_id(), event_type=event.get_type())
        try:
            handle_once(consumer, event, handler)
        finally:
            logger.remove_keys(["event_id", "event_type"])

    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        processor = BatchProcessor(event_type=EventType.SQS)
        response = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
        return dict(response)

    return lambda_handler
