"""The bucket catalogue: every bucket Argus keeps data in, with its versioning, its lifecycle (retention)
rules and the methods browsers may use on it, declared once.

CDK (infra/constructs/storage.py) deploys these buckets and the local stack (argus/local/provision.py)
creates the same ones on moto; docs/retention.md is the schedule the rules implement. S3 applies
lifecycle rules once a day, so an object lives up to a day longer than its rule says."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from argus.incidents.media.policy import PENDING_RETENTION

# Deleted or overwritten versions of kept files stay this long, so that an operator's mistake can be
# undone; erasure deletes every version at once and does not wait for it.
NONCURRENT_RETENTION_DAYS = 30
# A multipart upload that never completed (a function stopped mid-upload) is aborted after this long.
ABORT_MULTIPART_DAYS = 1
# Browsers may cache a CORS preflight answer this long (seconds).
CORS_MAX_AGE = 3000


@dataclass(frozen=True)
class Lifecycle:
    """One lifecycle rule over the whole bucket."""

    rule_id: str
    expire_days: int | None = None  # current versions (objects of an unversioned bucket)
    noncurrent_expire_days: int | None = None
    abort_multipart_days: int | None = None
    # Remove a delete marker once no version is left behind it (S3 does not allow it with expire_days).
    expired_delete_markers: bool = False


@dataclass(frozen=True)
class BucketSpec:
    """A bucket: ``name`` is its role (the local bucket is ``<prefix>-<name>``, the CDK construct id
    its capitalised form)."""

    name: str
    description: str
    versioned: bool
    lifecycle: tuple[Lifecycle, ...]
    # Methods browsers of the configured origins may use (CORS); none when browsers never call it.
    browser_methods: tuple[str, ...] = ()
    browser_headers: tuple[str, ...] = ()
    exposed_headers: tuple[str, ...] = ()

    @property
    def construct_id(self) -> str:
        return self.name.capitalize()


def _keep_current(rule_id: str) -> Lifecycle:
    return Lifecycle(
        rule_id,
        noncurrent_expire_days=NONCURRENT_RETENTION_DAYS,
        abort_multipart_days=ABORT_MULTIPART_DAYS,
        expired_delete_markers=True,
    )


# Uploads as they arrive from browsers (EXIF, GPS and all), until the sanitiser has read them. Not
# versioned, so a delete is final, and outside every backup (AWS Backup needs versioning): an original
# never outlives its day.
QUARANTINE = BucketSpec(
    name="quarantine",
    description="Incident media as uploaded, before sanitising",
    versioned=False,
    lifecycle=(
        Lifecycle(
            "expire-uploads",
            expire_days=PENDING_RETENTION.days,
            # Only matters if versioning is ever turned on by hand: old versions go as quickly.
            noncurrent_expire_days=PENDING_RETENTION.days,
            abort_multipart_days=ABORT_MULTIPART_DAYS,
        ),
    ),
    browser_methods=("POST",),
)
# Sanitised incident media: kept while the incident keeps them (erasure deletes every version).
MEDIA = BucketSpec(
    name="media",
    description="Sanitised incident media",
    versioned=True,
    lifecycle=(_keep_current("old-versions"),),
    # Presigned GETs fetched by web clients (a video seeks with Range requests).
    browser_methods=("GET", "HEAD"),
    browser_headers=("range",),
    exposed_headers=("content-length", "content-range", "etag"),
)
# Generated transparency reports (private and published).
REPORTS = BucketSpec(
    name="reports",
    description="Generated reports",
    versioned=True,
    lifecycle=(_keep_current("old-versions"),),
)

BUCKETS: tuple[BucketSpec, ...] = (MEDIA, QUARANTINE, REPORTS)


def lifecycle_configuration(spec: BucketSpec) -> dict[str, Any]:
    """The S3 ``LifecycleConfiguration`` of ``spec`` (what CDK deploys, for the local stack)."""
    rules = []
    for rule in spec.lifecycle:
        document: dict[str, Any] = {"ID": rule.rule_id, "Status": "Enabled", "Filter": {"Prefix": ""}}
        if rule.expire_days is not None:
            document["Expiration"] = {"Days": rule.expire_days}
        elif rule.expired_delete_markers:
            document["Expiration"] = {"ExpiredObjectDeleteMarker": True}
        if rule.noncurrent_expire_days is not None:
            document["NoncurrentVersionExpiration"] = {"NoncurrentDays": rule.noncurrent_expire_days}
        if rule.abort_multipart_days is not None:
            document["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": rule.abort_multipart_days}
        rules.append(document)
    return {"Rules": rules}
