"""Fakes of the EventBridge side: a publisher that records (and can refuse) entries, and an
``events`` client answering ``put_events`` from memory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from argus.platform.publisher import BusEntry


@dataclass
class RecordingPublisher:
    """An ``EventPublisher``: records every ``put`` call. ``fail`` decides, per call number and
    entries, which indexes fail; ``raise_on`` lists call numbers that raise instead."""

    fail: Callable[[int, Sequence[BusEntry]], list[int]] = lambda _call, _entries: []
    raise_on: set[int] = field(default_factory=set)
    calls: list[list[BusEntry]] = field(default_factory=list)

    def put(self, entries: Sequence[BusEntry]) -> list[int]:
        number = len(self.calls)
        self.calls.append(list(entries))
        if number in self.raise_on:
            raise ConnectionError("EventBridge unavailable")
        return self.fail(number, entries)


@dataclass
class FakeEventsClient:
    """Answers ``put_events`` like EventBridge: entries whose DetailType is in ``refuse`` get an
    ErrorCode, and ``FailedEntryCount`` counts them."""

    refuse: set[str] = field(default_factory=set)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def put_events(self, *, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.requests.append({"Entries": Entries})
        results: list[dict[str, Any]] = []
        for number, entry in enumerate(Entries):
            if entry["DetailType"] in self.refuse:
                results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
            else:
                results.append({"EventId": f"event-{len(self.requests)}-{number}"})
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}
