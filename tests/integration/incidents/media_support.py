"""Building blocks of the incident media tests: the buckets as the local stack provisions them (from the
catalogue CDK deploys), presigned POSTs through moto, and every version S3 holds."""

from __future__ import annotations

from typing import Any

import requests
from argus.incidents.media.model import UploadTicket
from argus.local.provision import create_buckets
from argus.platform.settings import Settings

from tests.fakes.aws import REGION, ArgusAws

MEDIA_BUCKET = Settings().media_bucket
QUARANTINE_BUCKET = Settings().quarantine_bucket


def route_http_to_moto() -> None:
    """Let ``requests`` (the presigned POST and GET) reach moto's S3: the suite's ``fresh_table``
    resets moto, which also drops the HTTP callbacks ``mock_aws`` registered when it started."""
    from moto import backend_index
    from moto.core.custom_responses_mock import CallbackResponse
    from moto.core.models import botocore_stubber, responses_mock

    for name, pattern in backend_index.backend_url_patterns:
        if name == "s3":
            for method in ("GET", "HEAD", "POST", "PUT", "DELETE"):
                responses_mock.add(
                    CallbackResponse(
                        method=method, url=pattern, callback=botocore_stubber.process_prepared_request
                    )
                )


def provision_buckets(aws: ArgusAws) -> Any:
    """The buckets as the local stack creates them (versioned media, unversioned quarantine); the
    settings' default names are the local stack's. Returns the S3 client."""
    route_http_to_moto()
    client = aws.client("s3")
    names = create_buckets(client, REGION)
    assert (names["media"], names["quarantine"]) == (MEDIA_BUCKET, QUARANTINE_BUCKET)
    return client


def post(ticket: UploadTicket, data: bytes, **overrides: str) -> requests.Response:
    return requests.post(ticket.url, data={**ticket.fields, **overrides}, files={"file": ("upload", data)})


def every_version(s3: Any, bucket: str, prefix: str = "") -> list[tuple[str, str]]:
    """(key, "version" or "delete-marker") of everything the bucket holds under ``prefix``, current and
    noncurrent alike."""
    found: list[tuple[str, str]] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        found += [(v["Key"], "version") for v in page.get("Versions", [])]
        found += [(m["Key"], "delete-marker") for m in page.get("DeleteMarkers", [])]
    return found
