"""Child process of the cold-start baseline: import boto3 and create one DynamoDB client.

The floor any Python Lambda that talks to DynamoDB pays. Same environment and endpoint as the
handler child; prints the same JSON shape.
"""

import time

T_TOP = time.perf_counter()

import os  # noqa: E402  (already imported by the interpreter's startup)

import boto3  # noqa: E402

T_IMPORTED = time.perf_counter()

client = boto3.client(
    "dynamodb",
    region_name=os.environ["AWS_DEFAULT_REGION"],
    endpoint_url=os.environ["ARGUS_AWS_ENDPOINT_URL"],
)
T_ANSWERED = time.perf_counter()

import json  # noqa: E402


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
            "response": {"client": type(client).__name__},
        }
    )
)
