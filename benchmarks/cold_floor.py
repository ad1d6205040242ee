"""Child process of the cold-start "floor": the third-party imports of the GraphQL Lambda and its
DynamoDB client, with no argus code at all. Not a goal, an explanation: it is what the handler
would cost if the product's own modules, schema and request took no time.

The module list mirrors what ``argus.handlers.graphql`` imports (``-X importtime`` shows it), loaded
the way the handler loads them (``argus.platform.startup.loading_handler``: the cyclic collector
paused, then everything frozen; written out here because this child imports no argus code); the
client is created the way pynamodb creates it (a botocore session). Prints the same JSON shape as
the other children.
"""

import time

T_TOP = time.perf_counter()

import gc  # noqa: E402

gc.disable()

import os  # noqa: E402

import aws_lambda_powertools  # noqa: E402, F401
import botocore.session  # noqa: E402
import cloudevents.core.formats.json  # noqa: E402
import cloudevents.core.v1.event  # noqa: E402, F401
import jwt  # noqa: E402, F401
import mangum  # noqa: E402, F401
import pydantic  # noqa: E402, F401
import pydantic_settings  # noqa: E402, F401
import pynamodb.connection  # noqa: E402
import pynamodb.models  # noqa: E402
import pynamodb.transactions  # noqa: E402, F401
import strawberry  # noqa: E402
import strawberry.asgi  # noqa: E402
import strawberry.dataloader  # noqa: E402
import strawberry.extensions  # noqa: E402
import strawberry.tools  # noqa: E402, F401

gc.freeze()
gc.enable()
T_IMPORTED = time.perf_counter()

client = botocore.session.get_session().create_client(
    "dynamodb",
    region_name=os.environ["AWS_DEFAULT_REGION"],
    endpoint_url=os.environ["ARGUS_AWS_ENDPOINT_URL"],
)
T_ANSWERED = time.perf_counter()

import json  # noqa: E402


def peak_rss_kib() -> int:
    """VmHWM: the peak RSS of this address space (see cold_handler.py)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


print(
    json.dumps(
        {
            "top": T_TOP,
            "imported": T_IMPORTED,
            "answered": T_ANSWERED,
            "maxrss_kib": peak_rss_kib(),
            "response": {"client": type(client).__name__},
        }
    )
)
