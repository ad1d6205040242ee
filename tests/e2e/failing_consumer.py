"""A consumer that always fails, for the retry → dead-letter test. The local stack's poller loads its
handler by dotted path (``HANDLER``), so this module is imported by name, not by file."""

from __future__ import annotations

import threading
from collections import Counter

from argus.platform.cloudevents import CloudEvent
from argus.platform.consumers import ConsumerSpec, sqs_consumer
from argus.platform.outbox import UnitOfWork

NAME = "always-fails"
MAX_RECEIVE_COUNT = 3

# event id → how many times the handler ran for it (the poller calls it from its own thread)
ATTEMPTS: Counter[str] = Counter()
_lock = threading.Lock()


class ConsumerFailure(RuntimeError):
    pass


def _always_fail(event: CloudEvent, uow: UnitOfWork) -> None:
    with _lock:
        ATTEMPTS[event.get_id()] += 1
    raise ConsumerFailure(f"{NAME} fails on purpose (event {event.get_id()})")


def attempts(event_id: str) -> int:
    with _lock:
        return ATTEMPTS[event_id]


HANDLER = f"{__name__}.handler"
SPEC = ConsumerSpec(
    name=NAME,
    handler=HANDLER,
    event_pattern={"source": [{"prefix": "argus."}]},
    description="Fails every event: its messages are retried, then dead-lettered.",
    batch_size=10,
    max_receive_count=MAX_RECEIVE_COUNT,
)

handler = sqs_consumer(SPEC, _always_fail)
