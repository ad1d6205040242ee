"""S3 buckets: media (presigned uploads of incident photos), reports (generated transparency reports),
and the server access log bucket both log to.

All block public access, enforce TLS and are encrypted; media and reports with the data key (their
contents are personal data), the log bucket with S3-managed keys (the only encryption S3 server access
logging can deliver to)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.config import StageConfig


class Buckets(Construct):
    """``media``, ``reports`` and ``access_logs``."""

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
                s3.LifecycleRule(expiration=cdk.Duration.days(max(config.log_retention_days, 90)))
            ],
            removal_policy=policy,
        )
        self.media = self._data_bucket("Media", "media/", key, policy)
        self.reports = self._data_bucket("Reports", "reports/", key, policy)

    def _data_bucket(
        self, construct_id: str, log_prefix: str, key: kms.IKey, policy: cdk.RemovalPolicy
    ) -> s3.Bucket:
        return s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=log_prefix,
            removal_policy=policy,
        )
