"""Live events between the relay and AppSync, for the infrastructure tests (imported as
``live_support``): what the outbox relay Lambda puts on the bus, and what the live rule's EventBridge
input transformer then hands the AppSync target."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
from argus.handlers import outbox_relay

from tests.factories.events import outbox_stream_record
from tests.fakes.publisher import RecordingPublisher

_MISSING = object()
RELAY_CONTEXT = SimpleNamespace(
    function_name="outbox-relay",
    memory_limit_in_mb=256,
    invoked_function_arn="arn:aws:lambda:eu-west-2:123456789012:function:outbox-relay",
    aws_request_id="req-1",
)


def _at(path: str, document: Any) -> Any:
    """The value at an EventBridge input path (``$.a.b``) of ``document``, or ``_MISSING``."""
    value = document
    for part in path.removeprefix("$.").split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def target_input(transformer: dict[str, Any], envelope: dict[str, Any]) -> dict[str, Any]:
    """The variables EventBridge sends: each placeholder of the template (CDK writes them unquoted)
    replaced by the JSON of the value its path selects in the delivered event."""
    paths = transformer["InputPathsMap"]

    def value(match: re.Match[str]) -> str:
        found = _at(paths[match.group(1)], envelope)
        assert found is not _MISSING, f"{paths[match.group(1)]} is not in a relayed event"
        return json.dumps(found)

    variables: dict[str, Any] = json.loads(re.sub(r"<([^>]+)>", value, transformer["InputTemplate"]))
    return variables


def relayed_detail(event: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The detail the outbox relay Lambda puts on the bus for ``event``."""
    publisher = RecordingPublisher()
    monkeypatch.setattr(outbox_relay, "get_publisher", lambda: publisher)
    response = outbox_relay.handler({"Records": [outbox_stream_record(event, "1")]}, RELAY_CONTEXT)
    assert response == {"batchItemFailures": []}
    [[entry]] = publisher.calls
    detail: dict[str, Any] = json.loads(entry.detail)
    return detail
