"""Live events for GraphQL subscriptions.

On AWS, EventBridge delivers live events to the AppSync API (schema/realtime.graphql). Locally, the
poller hands the same events to this in-process broker, and Strawberry serves the subscription
fields over WebSocket (graphql-transport-ws). A subscription follows the broker through ``follow``,
which ends it when its token expires and when the subscriber's relation to what it follows ends."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from argus.platform import clock
from argus.platform.auth.principal import Principal
from argus.platform.cloudevents import CloudEvent
from argus.platform.errors import Forbidden, Unauthenticated

TOKEN_EXPIRED = "Your sign-in has expired, so this subscription has ended; subscribe again with a new token."
RELATION_ENDED = "You no longer have access to this, so the subscription has ended."


@strawberry.type(description="A CloudEvent delivered live to subscribers of the same organisation.")
class LiveEvent:
    id: str
    type: str
    source: str
    subject: str | None
    time: datetime
    org_id: str
    data: JSON

    @classmethod
    def from_cloudevent(cls, event: CloudEvent) -> LiveEvent:
        data = event.get_data()
        if isinstance(data, (bytes, str)):
            data = json.loads(data)
        return cls(
            id=event.get_id(),
            type=event.get_type(),
            source=event.get_source(),
            subject=event.get_subject(),
            time=event.get_time(),  # type: ignore[arg-type]
            org_id=event.get_extension("orgid"),
            data=cast(JSON, data),
        )


@dataclass(eq=False)
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[CloudEvent]
    accepts: Callable[[CloudEvent], bool]


class LiveBroker:
    """Fan-out of events to subscribers; ``publish`` may be called from any thread."""

    def __init__(self) -> None:
        self._subscribers: set[_Subscriber] = set()
        self._lock = threading.Lock()

    def publish(self, event: CloudEvent) -> None:
        with self._lock:
            targets = [s for s in self._subscribers if s.accepts(event)]
        for subscriber in targets:
            subscriber.loop.call_soon_threadsafe(subscriber.queue.put_nowait, event)

    async def subscribe(self, accepts: Callable[[CloudEvent], bool]) -> AsyncGenerator[CloudEvent, None]:
        subscriber = _Subscriber(asyncio.get_running_loop(), asyncio.Queue(), accepts)
        with self._lock:
            self._subscribers.add(subscriber)
        try:
            while True:
                yield await subscriber.queue.get()
        finally:
            with self._lock:
                self._subscribers.discard(subscriber)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)


_broker = LiveBroker()


def get_broker() -> LiveBroker:
    return _broker


async def follow(
    principal: Principal,
    accepts: Callable[[CloudEvent], bool],
    may_continue: Callable[[], bool] | None = None,
) -> AsyncGenerator[CloudEvent, None]:
    """The live events ``accepts`` selects, for as long as ``principal`` may have them.

    Raises Unauthenticated (reason ``token_expired``) at the token's ``exp``, whether or not an event
    is waiting; a token held by a connection is judged on the server's clock, without the leeway that
    forgives clock skew when a token is presented. Raises Forbidden (reason ``relation_ended``) when
    ``may_continue()`` — asked before each event is handed over, so that a relation that ended meanwhile
    (a member who left, a captain replaced) gets nothing more — says no."""
    events = _broker.subscribe(accepts)
    try:
        while True:
            event = await _next_before(events, principal.expires_at)
            if may_continue is not None and not may_continue():
                raise Forbidden(RELATION_ENDED, details={"reason": "relation_ended"})
            yield event
    finally:
        await events.aclose()


async def _next_before(events: AsyncIterator[CloudEvent], deadline: datetime | None) -> CloudEvent:
    """The next event, or Unauthenticated once ``deadline`` has passed (also while none arrives)."""
    if deadline is None:
        return await anext(events)
    remaining = (deadline - clock.now()).total_seconds()
    try:
        if remaining <= 0:
            raise TimeoutError
        async with asyncio.timeout(remaining):
            event = await anext(events)
    except TimeoutError:
        raise Unauthenticated(TOKEN_EXPIRED, details={"reason": "token_expired"}) from None
    if clock.now() >= deadline:  # arrived as the token expired
        raise Unauthenticated(TOKEN_EXPIRED, details={"reason": "token_expired"})
    return event


def sqs_live_handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """Local stack: the live-event queue (fed by the same rule that targets AppSync on AWS) → subscribers."""
    from argus.platform.consumers import event_from_sqs_body

    for record in event.get("Records", []):
        _broker.publish(event_from_sqs_body(record["body"]))
    return {"batchItemFailures": []}
