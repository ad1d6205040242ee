"""Plays the part of Lambda's event source mappings in the local stack: the table stream feeds the
outbox relay handler, and each consumer queue feeds its consumer's handler — the same handler
functions that run on AWS, invoked in process with Lambda-shaped events.

As on AWS, every mapping polls on its own (a thread each): a consumer that is slow or has a backlog
holds up neither the relay nor the live-event queue, which is what made live events trail by minutes
while one thread served the stream and every queue in turn. Queues are read with SQS long polling, so
an idle mapping costs nothing and a message is picked up as soon as it arrives."""

from __future__ import annotations

import importlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from argus.local.provision import QueuePair, Resources
from argus.platform.consumers import ConsumerSpec
from argus.platform.observability import logger
from argus.platform.relay import RELAY_MAX_ATTEMPTS, matches_stream_filter

if TYPE_CHECKING:
    from argus.local.housekeeping import Housekeeping

Handler = Callable[[dict[str, Any], Any], Any]
LOCAL_RELAY_BATCH = 100
# Seconds a queue's ReceiveMessage waits for a message (the longest a stop waits for a mapping).
QUEUE_WAIT_SECONDS = 1


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:eu-west-2:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def load_handler(dotted: str) -> Handler:
    module, _, function = dotted.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module), function)
    return handler


@dataclass
class _QueueSource:
    name: str
    queue: QueuePair
    handler: Handler
    batch_size: int


@dataclass
class _StreamState:
    iterators: dict[str, str | None] = field(default_factory=dict)
    pending: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    # The last sequence number read (filtered out or not) from each shard and not yet trimmed.
    read_through: dict[str, str] = field(default_factory=dict)


class Poller:
    """One background thread per event source mapping: the table stream, and each queue."""

    def __init__(
        self,
        clients: dict[str, Any],
        resources: Resources,
        consumers: tuple[ConsumerSpec, ...],
        live_handler: Handler,
        relay_handler: Handler | None = None,
        idle_sleep: float = 0.05,
        housekeeping: Housekeeping | None = None,
    ) -> None:
        self._streams = clients["dynamodbstreams"]
        self._sqs = clients["sqs"]
        self._resources = resources
        self._relay = relay_handler or load_handler("argus.handlers.outbox_relay.handler")
        self._sources = [
            _QueueSource(
                spec.name, resources.consumer_queues[spec.name], load_handler(spec.handler), spec.batch_size
            )
            for spec in consumers
        ]
        assert resources.live_queue is not None
        self._sources.append(_QueueSource("live", resources.live_queue, live_handler, 10))
        self._stream = _StreamState()
        self._housekeeping = housekeeping
        self._idle_sleep = idle_sleep
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(
                target=self._run,
                args=(self._poll_stream_and_housekeep, idle_sleep),
                name="argus-poller-stream",
            )
        ] + [
            threading.Thread(
                target=self._run,
                args=(partial(self._poll_queue, source), 0.0),
                name=f"argus-poller-{source.name}",
            )
            for source in self._sources
        ]
        for thread in self._threads:
            thread.daemon = True
        self.errors = 0

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def _run(self, poll: Callable[[], bool], idle_sleep: float) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = poll()
            except Exception:  # noqa: BLE001 - the poller must survive anything a handler does
                self.errors += 1
                logger.exception("local poller iteration failed")
                self._stop.wait(0.5)
            if not busy and idle_sleep:
                self._stop.wait(idle_sleep)

    def _poll_stream_and_housekeep(self) -> bool:
        busy = self._poll_stream()
        if self._housekeeping is not None:
            self._housekeeping.tick()
        return busy

    # -- table stream → outbox relay ------------------------------------------------------------
    def _poll_stream(self) -> bool:
        state = self._stream
        if not state.iterators:
            description = self._streams.describe_stream(StreamArn=self._resources.stream_arn)[
                "StreamDescription"
            ]
            for shard in description["Shards"]:
                state.iterators[shard["ShardId"]] = self._streams.get_shard_iterator(
                    StreamArn=self._resources.stream_arn,
                    ShardId=shard["ShardId"],
                    ShardIteratorType="TRIM_HORIZON",
                )["ShardIterator"]
        if not state.pending:
            for shard_id, iterator in list(state.iterators.items()):
                if iterator is None:
                    continue
                response = self._streams.get_records(ShardIterator=iterator, Limit=100)
                state.iterators[shard_id] = response.get("NextShardIterator")
                if self._housekeeping is not None:
                    self._housekeeping.iterator_used(iterator)
                records = response.get("Records", [])
                if records:
                    state.read_through[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
                state.pending += [r for r in records if matches_stream_filter(r)]
        if not state.pending:
            self._trim_stream()
            return False
        # Locally the relay takes up to 100 records per invocation (it still puts 10 per PutEvents call).
        batch, state.pending = state.pending[:LOCAL_RELAY_BATCH], state.pending[LOCAL_RELAY_BATCH:]
        result = self._relay({"Records": batch}, LambdaContext("outbox-relay"))
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        if not failed:
            state.attempts = 0
            if not state.pending:
                self._trim_stream()
            return True
        # As Lambda does: retry from the first failed record, then give up to the relay's DLQ.
        first = min(i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] in failed)
        state.attempts += 1
        if state.attempts >= RELAY_MAX_ATTEMPTS:
            self._sqs.send_message(
                QueueUrl=self._resources.relay_dlq_url,
                MessageBody=json.dumps({"failedSequenceNumbers": sorted(failed)}),
            )
            state.attempts = 0
            state.pending = batch[first + 1 :] + state.pending
        else:
            state.pending = batch[first:] + state.pending
            time.sleep(0.2 * state.attempts)
        return True

    def _trim_stream(self) -> None:
        """Every record read so far has been dealt with: the stream need not keep them (there is no
        other reader locally; see argus.local.housekeeping)."""
        if self._housekeeping is None:
            return
        for sequence_number in self._stream.read_through.values():
            self._housekeeping.stream_processed(sequence_number)
        self._stream.read_through.clear()

    # -- SQS queue → consumer -------------------------------------------------------------------
    def _poll_queue(self, source: _QueueSource) -> bool:
        response = self._sqs.receive_message(
            QueueUrl=source.queue.url,
            MaxNumberOfMessages=min(source.batch_size, 10),
            WaitTimeSeconds=QUEUE_WAIT_SECONDS,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return False
        event = {"Records": [_sqs_record(m, source.queue.arn) for m in messages]}
        try:
            result = source.handler(event, LambdaContext(f"consumer-{source.name}")) or {}
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        except Exception:  # noqa: BLE001 - as on Lambda, an invocation error fails the whole batch
            logger.exception("consumer invocation failed", extra={"consumer": source.name})
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=source.queue.url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        return True


def _sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }
