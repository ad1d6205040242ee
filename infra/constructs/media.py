"""Incident media access. Uploads land in the quarantine bucket (``quarantine/…``), sanitised files live
in the media bucket (``media/…``). Each role gets one policy with the exact actions it needs on those
two prefixes (object keys are per upload, so the object resources end in ``/*`` — the one wildcard,
acknowledged on that policy alone):

* the GraphQL function signs uploads into quarantine, checks them and discards the ones that are not
  what was declared (every version), and signs downloads of media;
* the sanitiser (consumer ``incident-media``) reads an upload, writes the clean file to media and
  deletes the upload (every version), and cleans up after media erased while it ran;
* the eraser (consumer ``incident-media-erasure``) deletes every version of a person's uploads and
  files, and reads nothing.

Deleting every version needs ``s3:ListBucketVersions`` on the bucket (limited to the prefix) and
``s3:DeleteObjectVersion``; ``s3:DeleteObject`` is kept beside it for the ``null`` version of an
unversioned bucket."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.nag import acknowledge

QUARANTINE = "quarantine/*"
MEDIA = "media/*"
DELETE = ["s3:DeleteObject", "s3:DeleteObjectVersion"]


class MediaRole(StrEnum):
    GRAPHQL = "graphql"
    SANITISER = "sanitiser"
    ERASER = "eraser"


# The consumers (names in argus.consumers) that handle media, and the policy each one's role gets.
CONSUMER_ROLES = {
    "incident-media": (MediaRole.SANITISER, "SanitiserMediaAccess"),
    "incident-media-erasure": (MediaRole.ERASER, "EraserMediaAccess"),
}


def media_bucket_export(stateful_stack_name: str) -> str:
    """The export name of the media bucket's ARN (a literal, so that cdk-nag's finding ids are known)."""
    return f"{stateful_stack_name}-MediaBucketArn"


def quarantine_bucket_export(stateful_stack_name: str) -> str:
    """The export name of the quarantine bucket's ARN."""
    return f"{stateful_stack_name}-QuarantineBucketArn"


def _objects(actions: list[str], bucket_arn: str, prefix: str) -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=actions, resources=[cdk.Fn.join("/", [bucket_arn, prefix])])


def _versions(bucket_arn: str, prefix: str) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        actions=["s3:ListBucketVersions"],
        resources=[bucket_arn],
        conditions={"StringLike": {"s3:prefix": [prefix]}},
    )


def _statements(role: MediaRole, quarantine: str, media: str) -> list[iam.PolicyStatement]:
    if role == MediaRole.GRAPHQL:
        return [
            _objects(["s3:PutObject", "s3:GetObject", *DELETE], quarantine, QUARANTINE),
            _versions(quarantine, QUARANTINE),
            _objects(["s3:GetObject"], media, MEDIA),
        ]
    if role == MediaRole.SANITISER:
        return [
            _objects(["s3:GetObject", *DELETE], quarantine, QUARANTINE),
            _versions(quarantine, QUARANTINE),
            # AbortMultipartUpload: boto3 uploads large videos in parts and aborts them on failure.
            _objects(["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject", *DELETE], media, MEDIA),
            _versions(media, MEDIA),
        ]
    return [
        _objects(DELETE, quarantine, QUARANTINE),
        _versions(quarantine, QUARANTINE),
        _objects(DELETE, media, MEDIA),
        _versions(media, MEDIA),
    ]


def grant_media(
    scope: Construct,
    construct_id: str,
    role: iam.IRole,
    *,
    stateful_stack_name: str,
    key: kms.IKey,
    media_role: MediaRole,
) -> iam.Policy:
    """One policy giving ``role`` what ``media_role`` needs on the two buckets (see the module)."""
    media_export = media_bucket_export(stateful_stack_name)
    quarantine_export = quarantine_bucket_export(stateful_stack_name)
    statements = _statements(
        media_role, cdk.Fn.import_value(quarantine_export), cdk.Fn.import_value(media_export)
    )
    if media_role != MediaRole.ERASER:  # reading and writing objects goes through the data key
        statements.append(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"s3.{cdk.Aws.REGION}.amazonaws.com"}},
            )
        )
    policy = iam.Policy(scope, construct_id, statements=statements, roles=[role])
    for export, prefix in ((quarantine_export, QUARANTINE), (media_export, MEDIA)):
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::{export}/{prefix}]",
            "Media object keys are created per upload, so the statements name the quarantine/* prefix "
            "of the quarantine bucket and the media/* prefix of the media bucket with exact S3 actions; "
            "nothing else is a wildcard.",
        )
    return policy


def grant_media_access(
    scope: Construct,
    *,
    graphql: iam.IRole,
    consumers: Mapping[str, iam.IRole],
    stateful_stack_name: str,
    key: kms.IKey,
) -> list[iam.Policy]:
    """The media policies of the GraphQL function's role and of the media consumers' roles (by consumer
    name; consumers that do not handle media get none)."""
    policies = [
        grant_media(
            scope,
            "GraphqlMediaAccess",
            graphql,
            stateful_stack_name=stateful_stack_name,
            key=key,
            media_role=MediaRole.GRAPHQL,
        )
    ]
    for name, (media_role, policy_id) in CONSUMER_ROLES.items():
        if name in consumers:
            policies.append(
                grant_media(
                    scope,
                    policy_id,
                    consumers[name],
                    stateful_stack_name=stateful_stack_name,
                    key=key,
                    media_role=media_role,
                )
            )
    return policies
