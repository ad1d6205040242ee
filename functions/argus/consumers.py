"""The consumer catalogue: every event consumer and the real-time rule, declared once.

CDK (infra/constructs/consumers.py, infra/constructs/realtime.py) and the local stack
(argus/local) both read these declarations. Each consumer names the dependency groups its handler
imports (``argus.platform.functions``; the whole function catalogue is ``argus.functions``)."""

from __future__ import annotations

from argus.incidents import events as incident_events
from argus.organisations import events as organisation_events
from argus.patterns import events as pattern_events
from argus.platform.consumers import ConsumerSpec

# The real-time rule's events, declared in the live-event catalogue (light enough for the relay).
from argus.realtime import LIVE_EVENT_TYPES as LIVE_EVENT_TYPES
from argus.realtime import LIVE_EVENTS_PATTERN as LIVE_EVENTS_PATTERN
from argus.watch import events as watch_events

# Every Argus event reaches the bus with Source "argus.<domain>".
ALL_ARGUS_EVENTS = {"source": [{"prefix": "argus."}]}

AUDIT = ConsumerSpec(
    name="audit",
    handler="argus.handlers.audit.handler",
    event_pattern=ALL_ARGUS_EVENTS,
    description="Records every event of an organisation in its audit trail.",
    batch_size=10,
    dependencies=("table",),
)

WATCH_GEO_INDEX = ConsumerSpec(
    name="watch-geo-index",
    handler="argus.handlers.watch_geo_index.handler",
    event_pattern={"source": ["argus.watch"], "detail-type": list(watch_events.AREA_TYPES)},
    description="Indexes watch group and block areas by H3 cell for point lookups.",
    batch_size=5,
    memory_mb=512,
    dependencies=("geo", "table"),
    # argus.geo loads its modules on first use: parsing an area (shapely), covering it with cells (h3).
    lazy_imports=("argus.geo.geojson", "argus.geo.index"),
)

INCIDENT_MEDIA = ConsumerSpec(
    name="incident-media",
    handler="argus.handlers.incident_media.handler",
    event_pattern={"source": ["argus.incident"], "detail-type": [incident_events.MEDIA_UPLOADED]},
    description="Strips EXIF/GPS, XMP, text chunks and MP4 user data from uploaded incident media.",
    batch_size=1,
    visibility_timeout_seconds=300,
    memory_mb=1536,
    dependencies=("aws", "media", "table"),
    # The S3 client (argus.platform.aws), the HEIF opener and the MP4 tagger load on first use.
    lazy_imports=("boto3", "pillow_heif", "mutagen.mp4"),
)

PATTERN_JOB = ConsumerSpec(
    name="pattern-job",
    handler="argus.handlers.pattern_job.handler",
    event_pattern={"source": ["argus.pattern"], "detail-type": [pattern_events.PATTERN_RUN_REQUESTED]},
    description="Performs requested crime-pattern runs: hot spots, emerging hot spots, near repeats.",
    batch_size=1,
    # 15 minutes (Lambda's limit) and 2 GB: the analysis of a year of 300,000 incidents, 60,000 of them
    # burglaries, over a study area of 2,500 km² (the largest), took 110 s and peaked at 1.45 GB RSS, most
    # of both the Knox test (benchmarks/pattern_job.py).
    visibility_timeout_seconds=6 * 900,
    memory_mb=2048,
    dependencies=("geo", "patterns", "table"),
    # One run per organisation each night: two at a time (4 GB) leaves the account to the API.
    maximum_concurrency=2,
)

# A person's erasure: each domain acts in its own consumer (the audit consumer pseudonymises the trail).
PERSON_ERASURE = {
    "source": ["argus.organisation"],
    "detail-type": [organisation_events.PERSON_ERASURE_REQUESTED],
}

INCIDENT_MEDIA_ERASURE = ConsumerSpec(
    name="incident-media-erasure",
    handler="argus.handlers.incident_media_erasure.handler",
    event_pattern=PERSON_ERASURE,
    description="Deletes every version of an erased person's uploads (referred incidents' evidence stays).",
    batch_size=1,
    visibility_timeout_seconds=360,
    dependencies=("aws", "table"),
    lazy_imports=("boto3",),  # the S3 client (argus.platform.aws), on first use
)

WATCH_ERASURE = ConsumerSpec(
    name="watch-erasure",
    handler="argus.handlers.watch_erasure.handler",
    event_pattern=PERSON_ERASURE,
    description="Erases an erased person's watch group memberships (names, contacts, addresses).",
    batch_size=1,
    visibility_timeout_seconds=360,
    dependencies=("table",),
)

CONSUMERS: tuple[ConsumerSpec, ...] = (
    AUDIT,
    WATCH_GEO_INDEX,
    INCIDENT_MEDIA,
    PATTERN_JOB,
    INCIDENT_MEDIA_ERASURE,
    WATCH_ERASURE,
)
