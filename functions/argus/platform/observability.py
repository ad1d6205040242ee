"""Powertools Logger and Metrics for the package; the Tracer (aws_xray_sdk, ~110 ms to import) is
created only when first asked for, so handlers that do not trace do not pay for it."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

SERVICE = "argus"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="Argus", service=SERVICE)


@lru_cache(maxsize=1)
def get_tracer() -> Tracer:
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)
