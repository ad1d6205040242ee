"""S3 buckets: the data buckets of the catalogue (``argus.buckets``: media, quarantine, reports) and the
server access log bucket they all log to.

All block public access, enforce TLS and are encrypted; the data buckets with the data key (their
contents are personal data), the log bucket with S3-managed keys (the only encryption S3 server access
logging can deliver to). Versioning, lifecycle (retention) rules and the browser methods come from the
catalogue, which the local stack provisions too; the browser origins come from the stage's
``cors_origins``. docs/retention.md is the schedule."""

from __future__ import annotations

import aws_cdk as cdk
from argus.buckets import BUCKETS, CORS_MAX_AGE, MEDIA, QUARANTINE, REPORTS, BucketSpec, Lifecycle
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.config import ConfigError, StageConfig

# Server access logs are kept at least this long whatever the stage's log retention (investigations
# of access to evidence need them).
MIN_ACCESS_LOG_DAYS = 90


def access_log_days(config: StageConfig) -> int:
    return max(config.log_retention_days, MIN_ACCESS_LOG_DAYS)


def browser_origins(config: StageConfig) -> tuple[str, ...]:
    """The origins browsers upload from and download to; a wildcard is refused in production (any
    site could then post into quarantine with a stolen ticket and read the responses)."""
    origins = config.cors_origins
    if config.stage == "prod" and any("*" in origin for origin in origins):
        raise ConfigError("corsOrigins must name each origin in prod; a wildcard is not allowed")
    return origins


def lifecycle_rule(rule: Lifecycle) -> s3.LifecycleRule:
    def days(value: int | None) -> cdk.Duration | None:
        return cdk.Duration.days(value) if value is not None else None

    return s3.LifecycleRule(
        id=rule.rule_id,
        expiration=days(rule.expire_days),
        noncurrent_version_expiration=days(rule.noncurrent_expire_days),
        abort_incomplete_multipart_upload_after=days(rule.abort_multipart_days),
        expired_object_delete_marker=rule.expired_delete_markers or None,
    )


def cors_rules(spec: BucketSpec, origins: tuple[str, ...]) -> list[s3.CorsRule] | None:
    if not spec.browser_methods or not origins:
        return None
    return [
        s3.CorsRule(
            allowed_methods=[s3.HttpMethods(method) for method in spec.browser_methods],
            allowed_origins=list(origins),
            allowed_headers=list(spec.browser_headers) or None,
            exposed_headers=list(spec.exposed_headers) or None,
            max_age=CORS_MAX_AGE,
        )
    ]


class Buckets(Construct):
    """``media``, ``quarantine``, ``reports`` (the catalogue) and ``access_logs``."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        # Buckets are never emptied automatically: that needs a custom resource function, and the data in
        # them is evidence. Deleting a non-production stack leaves them to be emptied by hand.
        policy = cdk.RemovalPolicy.RETAIN
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-logs",
                    expiration=cdk.Duration.days(access_log_days(config)),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                )
            ],
            removal_policy=policy,
        )
        origins = browser_origins(config)
        self.by_name = {spec.name: self._data_bucket(spec, key, policy, origins) for spec in BUCKETS}
        self.media = self.by_name[MEDIA.name]
        self.quarantine = self.by_name[QUARANTINE.name]
        self.reports = self.by_name[REPORTS.name]

    def _data_bucket(
        self, spec: BucketSpec, key: kms.IKey, policy: cdk.RemovalPolicy, origins: tuple[str, ...]
    ) -> s3.Bucket:
        return s3.Bucket(
            self,
            spec.construct_id,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=spec.versioned,
            lifecycle_rules=[lifecycle_rule(rule) for rule in spec.lifecycle],
            cors=cors_rules(spec, origins),
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=f"{spec.name}/",
            removal_policy=policy,
        )
