"""Lambda "outbox-relay": DynamoDB stream (outbox items only) → EventBridge, with partial batch failures;
live events carry their data as JSON text too (argus.realtime.LIVE_EVENT_TYPES)."""

from __future__ import annotations

from typing import Any

from argus.platform.startup import loading_handler

with loading_handler():
    from argus.platform.observability import logger
    from argus.platform.publisher import get_publisher
    from argus.platform.relay import relay
    from argus.realtime import LIVE_EVENT_TYPES

    _LIVE = frozenset(LIVE_EVENT_TYPES)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failed = relay(event.get("Records", []), get_publisher(), _LIVE)
    if failed:
        logger.warning("events not accepted by EventBridge", extra={"failed": len(failed)})
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}
