"""Incident media access: the GraphQL function signs uploads into ``quarantine/`` and downloads from
``media/``; the sanitising consumer moves files from one to the other. Each gets one policy with the
exact actions on those two prefixes of the media bucket (object keys are per upload, so the resources
end in ``/*`` — the one wildcard, acknowledged on that policy alone)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.nag import acknowledge

QUARANTINE = "quarantine/*"
MEDIA = "media/*"


def media_bucket_export(stateful_stack_name: str) -> str:
    """The export name of the media bucket's ARN (a literal, so that cdk-nag's finding ids are known)."""
    return f"{stateful_stack_name}-MediaBucketArn"


def grant_media(
    scope: Construct,
    construct_id: str,
    role: iam.IRole,
    bucket_export: str,
    key: kms.IKey,
    *,
    sanitiser: bool,
) -> iam.Policy:
    """The GraphQL function (``sanitiser=False``): put/read/delete quarantine objects (signing POSTs,
    checking and discarding uploads) and read media (signing downloads). The sanitiser: read/delete
    quarantine, write/read media."""
    bucket_arn = cdk.Fn.import_value(bucket_export)
    quarantine = cdk.Fn.join("/", [bucket_arn, QUARANTINE])
    media = cdk.Fn.join("/", [bucket_arn, MEDIA])
    statements = [
        iam.PolicyStatement(actions=["s3:GetObject", "s3:DeleteObject"], resources=[quarantine]),
        iam.PolicyStatement(actions=["s3:GetObject"], resources=[media]),
        iam.PolicyStatement(actions=["s3:PutObject"], resources=[media if sanitiser else quarantine]),
        iam.PolicyStatement(
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=[key.key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"s3.{cdk.Aws.REGION}.amazonaws.com"}},
        ),
    ]
    policy = iam.Policy(scope, construct_id, statements=statements, roles=[role])
    for prefix in (QUARANTINE, MEDIA):
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::{bucket_export}/{prefix}]",
            "Media object keys are created per upload, so the statements name the quarantine/* and "
            "media/* prefixes of the one media bucket with exact S3 actions; nothing else is a wildcard.",
        )
    return policy
