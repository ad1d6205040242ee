"""The consumer catalogue: every event consumer and the real-time rule, declared once.

CDK (infra/constructs/consumers.py, infra/constructs/realtime.py) and the local stack
(argus/local) both read these declarations."""

from __future__ import annotations

from argus.incidents import events as incident_events
from argus.patterns import events as pattern_events
from argus.platform.consumers import ConsumerSpec
from argus.watch import events as watch_events

# Every Argus event reaches the bus with Source "argus.<domain>".
ALL_ARGUS_EVENTS = {"source": [{"prefix": "argus."}]}

AUDIT = ConsumerSpec(
    name="audit",
    handler="argus.handlers.audit.handler",
    event_pattern=ALL_ARGUS_EVENTS,
    description="Records every event of an organisation in its audit trail.",
    batch_size=10,
)

WATCH_GEO_INDEX = ConsumerSpec(
    name="watch-geo-index",
    handler="argus.handlers.watch_geo_index.handler",
    event_pattern={"source": ["argus.watch"], "detail-type": list(watch_events.AREA_TYPES)},
    description="Indexes watch group and block areas by H3 cell for point lookups.",
    batch_size=5,
    memory_mb=512,
)

INCIDENT_MEDIA = ConsumerSpec(
    name="incident-media",
    handler="argus.handlers.incident_media.handler",
    event_pattern={"source": ["argus.incident"], "detail-type": [incident_events.MEDIA_UPLOADED]},
    description="Strips EXIF/GPS, XMP, text chunks and MP4 user data from uploaded incident media.",
    batch_size=1,
    visibility_timeout_seconds=300,
    memory_mb=1536,
)

PATTERN_JOB = ConsumerSpec(
    name="pattern-job",
    handler="argus.handlers.pattern_job.handler",
    event_pattern={"source": ["argus.pattern"], "detail-type": [pattern_events.PATTERN_RUN_REQUESTED]},
    description="Performs requested crime-pattern runs: hot spots, emerging hot spots, near repeats.",
    batch_size=1,
    # 15 minutes (Lambda's limit) and 2 GB: the analysis of a year of 300,000 incidents, 60,000 of them
    # burglaries, took 41 s and peaked at 1.4 GB RSS, most of both the Knox test (benchmarks/pattern_job.py).
    visibility_timeout_seconds=6 * 900,
    memory_mb=2048,
    layer="patterns",
)

CONSUMERS: tuple[ConsumerSpec, ...] = (AUDIT, WATCH_GEO_INDEX, INCIDENT_MEDIA, PATTERN_JOB)

# Events delivered live to subscribed clients (AppSync on AWS, Strawberry over WebSocket locally).
LIVE_EVENT_TYPES: tuple[str, ...] = (
    "org.argus.organisation.created.v1",
    "org.argus.organisation.updated.v1",
    *watch_events.LIVE_TYPES,
    *incident_events.LIVE_TYPES,
)
LIVE_EVENTS_PATTERN = {"detail-type": list(LIVE_EVENT_TYPES)}
