"""The media's objects in S3. Deleting means deleting every version: in a versioned bucket a plain
DELETE only adds a delete marker and keeps the object as a noncurrent version, so an original upload
(EXIF, GPS and all) or an erased photo would stay readable to anyone who lists versions."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from argus.platform.aws import aws_client, is_missing_object


def _s3() -> Any:
    return aws_client("s3")


def size_of(bucket: str, key: str) -> int | None:
    """The current version's size in bytes, or None when there is none."""
    try:
        head = _s3().head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if is_missing_object(exc):
            return None
        raise
    return int(head["ContentLength"])


def delete_every_version(bucket: str, key: str) -> int:
    """Delete every version and delete marker of exactly ``key`` (each by its version id); returns how
    many were deleted. Repeatable, and right on unversioned buckets too, whose one version has the id
    ``null``. Raises botocore's ClientError when S3 refuses."""
    s3 = _s3()
    versions: list[str] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
        for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            if entry["Key"] == key:  # the prefix also matches longer keys
                versions.append(entry["VersionId"])
    for version in versions:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
    return len(versions)
