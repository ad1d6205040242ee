"""boto3 clients configured from settings (pointing at the moto server in the local stack)."""

from __future__ import annotations

from functools import cache
from typing import Any

from argus.platform.settings import get_settings


@cache
def aws_client(service: str) -> Any:
    """A cached boto3 client for ``service``; boto3 is imported on first use only."""
    import boto3

    settings = get_settings()
    return boto3.client(  # type: ignore[call-overload]
        service, region_name=settings.region, endpoint_url=settings.aws_endpoint_url
    )


def is_missing_object(exc: Exception) -> bool:
    """True when a botocore ``ClientError`` says the S3 object (or bucket key) does not exist."""
    response = getattr(exc, "response", None) or {}
    return response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


def reset_clients() -> None:
    aws_client.cache_clear()
