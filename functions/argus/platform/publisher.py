"""Putting CloudEvents on EventBridge: the only module that talks to EventBridge.

On the bus, ``Source`` is ``argus.<domain>``, ``DetailType`` the CloudEvent type and ``Detail`` the
whole structured CloudEvent (DESIGN.md §4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from argus.platform.aws import aws_client
from argus.platform.cloudevents import event_domain
from argus.platform.settings import get_settings

MAX_ENTRIES_PER_PUT = 10


@dataclass(frozen=True)
class BusEntry:
    event_type: str
    detail: str  # the structured CloudEvent, as JSON text

    def to_request(self, bus_name: str) -> dict[str, Any]:
        return {
            "EventBusName": bus_name,
            "Source": f"argus.{event_domain(self.event_type)}",
            "DetailType": self.event_type,
            "Detail": self.detail,
        }


class EventPublisher(Protocol):
    def put(self, entries: Sequence[BusEntry]) -> list[int]:
        """Put up to 10 entries; return the indexes of the entries that failed."""
        ...


class EventBridgePublisher:
    def __init__(self, client: Any, bus_name: str) -> None:
        self._client = client
        self._bus = bus_name

    def put(self, entries: Sequence[BusEntry]) -> list[int]:
        if len(entries) > MAX_ENTRIES_PER_PUT:
            raise ValueError("PutEvents takes at most 10 entries")
        if not entries:
            return []
        response = self._client.put_events(Entries=[e.to_request(self._bus) for e in entries])
        if not response.get("FailedEntryCount"):
            return []
        return [i for i, result in enumerate(response["Entries"]) if result.get("ErrorCode")]


@lru_cache(maxsize=1)
def get_publisher() -> EventPublisher:
    return EventBridgePublisher(aws_client("events"), get_settings().event_bus_name)
