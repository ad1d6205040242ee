"""CloudEvents of the patterns domain (schemas and samples in events/). They carry the run id, H3 cells,
categories and statistics: never incidents, people or descriptions."""

from __future__ import annotations

from typing import Any

from argus.platform.cloudevents import CloudEvent, make_event

PATTERN_RUN_REQUESTED = "org.argus.pattern.run-requested.v1"
PATTERN_DETECTED = "org.argus.pattern.detected.v1"
PATTERN_RUN_COMPLETED = "org.argus.pattern.run-completed.v1"
PATTERN_RUN_FAILED = "org.argus.pattern.run-failed.v1"

ALL_TYPES = (PATTERN_RUN_REQUESTED, PATTERN_DETECTED, PATTERN_RUN_COMPLETED, PATTERN_RUN_FAILED)


def pattern_event(event_type: str, *, org_id: str, run_id: str, **data: Any) -> CloudEvent:
    """A patterns event about run ``run_id`` (its subject)."""
    return make_event(
        event_type, org_id=org_id, collection="patterns", subject=run_id, data={"runId": run_id, **data}
    )
