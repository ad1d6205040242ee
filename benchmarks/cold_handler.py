"""Child process of the cold-start benchmark: import the GraphQL Lambda and answer ONE request.

Run as a script in a fresh interpreter. The event (an API Gateway HTTP API v2 request with a bearer
token) comes in ``ARGUS_BENCH_EVENT``. Prints one JSON line: ``time.perf_counter()`` readings (the
system-wide monotonic clock, so the parent can subtract the moment it spawned us), the peak RSS and
the handler's response. Nothing of the benchmark is imported before the handler module.
"""

import time

T_TOP = time.perf_counter()

import argus.handlers.graphql as graphql_lambda  # noqa: E402  (the import is what we measure)

T_IMPORTED = time.perf_counter()

import json  # noqa: E402  (already imported by the handler's dependencies)
import os  # noqa: E402
from typing import TYPE_CHECKING, cast  # noqa: E402

if TYPE_CHECKING:
    from mangum.types import LambdaContext


class Context:
    """What Lambda passes as ``context`` (Mangum only puts it in the ASGI scope)."""

    function_name = "argus-graphql"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:argus-graphql"
    memory_limit_in_mb = 1024
    aws_request_id = "bench-request"
    log_group_name = "/aws/lambda/argus-graphql"
    log_stream_name = "bench"
    identity = None
    client_context = None

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


response = graphql_lambda.handler(
    json.loads(os.environ["ARGUS_BENCH_EVENT"]), cast("LambdaContext", Context())
)
T_ANSWERED = time.perf_counter()


def peak_rss_kib() -> int:
    """VmHWM: the peak RSS of this address space. (``ru_maxrss`` would not do: Linux carries it over
    from the parent across fork+exec, so a child of a big parent reports the parent's size.)"""
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
            "response": response,
        }
    )
)
