"""The consumer catalogue: every event consumer and the real-time rule, declared once.

CDK (infra/constructs/consumers.py, infra/constructs/realtime.py) and the local stack
(argus/local) both read these declarations."""

from __future__ import annotations

from argus.platform.consumers import ConsumerSpec

# Every Argus event reaches the bus with Source "argus.<domain>".
ALL_ARGUS_EVENTS = {"source": [{"prefix": "argus."}]}

AUDIT = ConsumerSpec(
    name="audit",
    handler="argus.handlers.audit.handler",
    event_pattern=ALL_ARGUS_EVENTS,
    description="Records every event of an organisation in its audit trail.",
    batch_size=10,
)

CONSUMERS: tuple[ConsumerSpec, ...] = (AUDIT,)

# Events delivered live to subscribed clients (AppSync on AWS, Strawberry over WebSocket locally).
LIVE_EVENT_TYPES: tuple[str, ...] = (
    "org.argus.organisation.created.v1",
    "org.argus.organisation.updated.v1",
)
LIVE_EVENTS_PATTERN = {"detail-type": list(LIVE_EVENT_TYPES)}
