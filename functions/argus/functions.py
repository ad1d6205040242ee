"""The function catalogue: every Lambda function of the ``argus`` package, declared once with its
handler and the dependency groups it imports (``argus.platform.functions``).

CDK gives each function the layer of its dependency set (infra/constructs/functions.py),
``layers/build.py`` builds one layer per distinct set, and tests/infra imports each handler with
exactly its layer. The consumers are declared in their own catalogue (``argus.consumers``)."""

from __future__ import annotations

from argus.consumers import CONSUMERS
from argus.platform.functions import FunctionSpec
from argus.realtime import AUTHORIZER_HANDLER

GRAPHQL = FunctionSpec(
    name="graphql",
    handler="argus.handlers.graphql.handler",
    dependencies=("auth", "aws", "geo", "graphql", "table", "timezones"),
    lazy_imports=(
        "boto3",  # argus.platform.aws: the media bucket's S3 client, on first use
        # argus.geo loads its modules on first use: areas and their checks (shapely), cells (h3, numpy)
        "argus.geo.area",
        "argus.geo.cells",
        "argus.geo.geojson",
        "argus.geo.index",
        "h3",  # a pattern run's GeoJSON (argus.patterns.service)
    ),
)

OUTBOX_RELAY = FunctionSpec(
    name="outbox-relay",
    handler="argus.handlers.outbox_relay.handler",
    dependencies=("aws",),
    lazy_imports=("boto3",),  # the EventBridge client (argus.platform.aws), on the first batch
)

REALTIME_AUTHORIZER = FunctionSpec(
    name="realtime-authorizer",
    handler=AUTHORIZER_HANDLER,
    dependencies=("auth", "table"),
)

PATTERN_SCHEDULE = FunctionSpec(
    name="pattern-schedule",
    handler="argus.handlers.pattern_schedule.handler",
    dependencies=("table",),
)

FUNCTIONS: tuple[FunctionSpec, ...] = (
    GRAPHQL,
    OUTBOX_RELAY,
    REALTIME_AUTHORIZER,
    PATTERN_SCHEDULE,
    *CONSUMERS,
)
