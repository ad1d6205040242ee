"""Lambda "pattern-schedule": the nightly EventBridge Scheduler target. Requests one crime-pattern run per
organisation (``argus.patterns.service.request_nightly_runs``); the pattern job performs them.

The schedule's payload is ``{"scheduledTime": "<aws.scheduler.scheduled-time>"}``, so a retried
invocation asks for the same runs (same ids) and nothing is requested twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from argus.platform.startup import loading_handler

with loading_handler():
    from argus.patterns.service import request_nightly_runs
    from argus.platform import clock
    from argus.platform.errors import BadUserInput
    from argus.platform.observability import logger


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raw = event.get("scheduledTime") if isinstance(event, dict) else None
    try:
        scheduled_at = datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else clock.now()
    except (AttributeError, ValueError):
        raise BadUserInput(f"scheduledTime is not an ISO 8601 time: {raw!r}") from None
    if scheduled_at.tzinfo is None:
        raise BadUserInput(f"scheduledTime carries no UTC offset: {raw!r}")
    requested = request_nightly_runs(scheduled_at)
    logger.info("nightly pattern runs requested", extra={"runs": len(requested)})
    return {"requested": requested}
