"""Powertools Logger and Metrics for the package. Traces come from Lambda's active tracing (each
function's invocation segments, set in infra/); the X-Ray SDK is not shipped, so there is no Tracer."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

SERVICE = "argus"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="Argus", service=SERVICE)
