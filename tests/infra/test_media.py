"""Incident media storage and access.

Buckets: uploads land in an unversioned quarantine bucket whose objects expire within a day; sanitised
files live in the versioned media bucket; every bucket has lifecycle rules (docs/retention.md); browsers
of the configured origins may POST uploads to quarantine and GET media, never from a wildcard in prod.

Access: the GraphQL function may write only quarantine/ (signed uploads, discarding what is not as
declared) and read media/; the sanitiser moves quarantine/ into media/; the eraser only deletes.
Nothing may write media/ but the sanitiser."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import aws_cdk as cdk
import pytest
from argus.buckets import ABORT_MULTIPART_DAYS, NONCURRENT_RETENTION_DAYS
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template
from synth_support import Synth, resources

from infra.app import FEATURE_FLAGS
from infra.config import STAGES, ConfigError
from infra.constructs.storage import Buckets

pytestmark = pytest.mark.infra

Grant = tuple[str, str, str]  # (action, bucket, "quarantine/*" | "media/*" | "bucket")


def _policy(synth: Synth, name: str) -> list[dict[str, Any]]:
    [policy] = [p for lid, p in resources(synth.service, "AWS::IAM::Policy").items() if lid.startswith(name)]
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _bucket_of(export: str) -> str:
    assert export.endswith(("-MediaBucketArn", "-QuarantineBucketArn")), export
    return "quarantine" if export.endswith("-QuarantineBucketArn") else "media"


def _grants(statements: list[dict[str, Any]]) -> set[Grant]:
    """Every S3 action with the bucket and the object prefix (or the bucket itself) it is allowed on."""
    grants: set[Grant] = set()
    for statement in statements:
        assert statement["Effect"] == "Allow"
        for action in _as_list(statement["Action"]):
            if not action.startswith("s3:"):
                continue
            for resource in _as_list(statement["Resource"]):
                if "Fn::Join" in resource:
                    separator, (imported, prefix) = resource["Fn::Join"]
                    assert separator == "/"
                    grants.add((action, _bucket_of(imported["Fn::ImportValue"]), prefix))
                else:
                    bucket = _bucket_of(resource["Fn::ImportValue"])
                    # Listing versions is limited to the prefix the role works on.
                    prefix = {"quarantine": "quarantine/*", "media": "media/*"}[bucket]
                    assert statement["Condition"] == {"StringLike": {"s3:prefix": [prefix]}}, statement
                    grants.add((action, bucket, "bucket"))
    return grants


def _on(bucket: str, prefix: str, *actions: str) -> set[Grant]:
    return {(action, bucket, prefix) for action in actions}


DELETE = ("s3:DeleteObject", "s3:DeleteObjectVersion")


def test_the_graphql_function_writes_only_to_quarantine(dev: Synth) -> None:
    assert _grants(_policy(dev, "GraphqlMediaAccess")) == (
        _on("quarantine", "quarantine/*", "s3:PutObject", "s3:GetObject", *DELETE)
        | _on("quarantine", "bucket", "s3:ListBucketVersions")
        | _on("media", "media/*", "s3:GetObject")
    )


def test_the_sanitiser_moves_quarantine_into_media(dev: Synth) -> None:
    assert _grants(_policy(dev, "SanitiserMediaAccess")) == (
        _on("quarantine", "quarantine/*", "s3:GetObject", *DELETE)
        | _on("quarantine", "bucket", "s3:ListBucketVersions")
        | _on("media", "media/*", "s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject", *DELETE)
        | _on("media", "bucket", "s3:ListBucketVersions")
    )


def test_the_eraser_only_deletes(dev: Synth) -> None:
    statements = _policy(dev, "EraserMediaAccess")
    assert _grants(statements) == (
        _on("quarantine", "quarantine/*", *DELETE)
        | _on("quarantine", "bucket", "s3:ListBucketVersions")
        | _on("media", "media/*", *DELETE)
        | _on("media", "bucket", "s3:ListBucketVersions")
    )
    # Deleting needs no key: the eraser can decrypt nothing
    assert not [s for s in statements if any(a.startswith("kms:") for a in _as_list(s["Action"]))]


def test_only_the_sanitiser_writes_media(dev: Synth) -> None:
    writers = set()
    for logical_id, policy in resources(dev.service, "AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = _as_list(statement["Action"])
            if "-MediaBucketArn" in json.dumps(statement["Resource"]) and (
                "s3:PutObject" in actions or "s3:*" in actions
            ):
                writers.add(logical_id)
    assert len(writers) == 1 and next(iter(writers)).startswith("SanitiserMediaAccess"), writers


def test_media_policies_name_the_buckets_of_the_stateful_stack_and_use_kms_only_through_s3(
    dev: Synth,
) -> None:
    outputs = dev.stateful.to_json()["Outputs"]
    exports = {o["Export"]["Name"]: o["Value"] for o in outputs.values() if "Export" in o}
    [media] = [v for k, v in exports.items() if k.endswith("-MediaBucketArn")]
    [quarantine] = [v for k, v in exports.items() if k.endswith("-QuarantineBucketArn")]
    assert media["Fn::GetAtt"][0].startswith("BucketsMedia") and media["Fn::GetAtt"][1] == "Arn"
    assert quarantine["Fn::GetAtt"][0].startswith("BucketsQuarantine")
    for name in ("GraphqlMediaAccess", "SanitiserMediaAccess"):
        [key] = [s for s in _policy(dev, name) if "kms:Decrypt" in _as_list(s["Action"])]
        assert set(_as_list(key["Action"])) == {"kms:Decrypt", "kms:GenerateDataKey"}
        assert "kms:ViaService" in json.dumps(key["Condition"])


def _bucket(template: Template, prefix: str) -> dict[str, Any]:
    [bucket] = [b for k, b in resources(template, "AWS::S3::Bucket").items() if k.startswith(prefix)]
    props: dict[str, Any] = bucket["Properties"]
    return props


def test_quarantine_is_unversioned_and_forgets_every_upload_within_a_day(dev: Synth) -> None:
    props = _bucket(dev.stateful, "BucketsQuarantine")
    assert "VersioningConfiguration" not in props
    [rule] = props["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and "Prefix" not in rule and "TagFilters" not in rule
    assert rule["ExpirationInDays"] == 1
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    # It holds personal data like the others: the data key and access logs
    assert (
        props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
            "SSEAlgorithm"
        ]
        == "aws:kms"
    )
    assert props["LoggingConfiguration"]["LogFilePrefix"] == "quarantine/"


@pytest.mark.parametrize("name", ["BucketsMedia", "BucketsReports"])
def test_kept_buckets_are_versioned_and_expire_old_versions(dev: Synth, name: str) -> None:
    props = _bucket(dev.stateful, name)
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    [rule] = props["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and "ExpirationInDays" not in rule
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": NONCURRENT_RETENTION_DAYS}
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": ABORT_MULTIPART_DAYS}
    assert rule["ExpiredObjectDeleteMarker"] is True


@pytest.mark.parametrize(("which", "days"), [("dev", 90), ("external", 365)])
def test_every_bucket_has_retention_rules(which: str, days: int, request: pytest.FixtureRequest) -> None:
    synth: Synth = request.getfixturevalue(which)
    buckets = resources(synth.stateful, "AWS::S3::Bucket")
    assert len(buckets) == 4  # media, quarantine, reports, access logs
    for bucket in buckets.values():
        assert bucket["Properties"]["LifecycleConfiguration"]["Rules"], bucket
    logs = [b["Properties"] for b in buckets.values() if "LoggingConfiguration" not in b["Properties"]]
    [access_logs] = logs
    [rule] = access_logs["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == days


def test_without_configured_origins_no_bucket_answers_browsers(dev: Synth, external: Synth) -> None:
    for synth in (dev, external):
        for bucket in resources(synth.stateful, "AWS::S3::Bucket").values():
            assert "CorsConfiguration" not in bucket["Properties"]


def _buckets_template(stage: str, origins: tuple[str, ...]) -> Template:
    """The buckets construct alone, for a stage with ``origins`` (no full synth needed)."""
    stack = cdk.Stack(cdk.App(context=FEATURE_FLAGS), "Buckets")
    config = replace(STAGES[stage], cors_origins=origins)
    Buckets(stack, "Buckets", config=config, key=kms.Key(stack, "Key"))
    return Template.from_stack(stack)


def test_browsers_of_the_configured_origins_post_uploads_and_get_media() -> None:
    origins = ("https://app.argus.example.org", "https://admin.argus.example.org")
    template = _buckets_template("prod", origins)
    [upload] = _bucket(template, "BucketsQuarantine")["CorsConfiguration"]["CorsRules"]
    assert upload["AllowedMethods"] == ["POST"]
    assert upload["AllowedOrigins"] == list(origins)
    assert "AllowedHeaders" not in upload
    [download] = _bucket(template, "BucketsMedia")["CorsConfiguration"]["CorsRules"]
    assert download["AllowedMethods"] == ["GET", "HEAD"]
    assert download["AllowedOrigins"] == list(origins)
    assert download["AllowedHeaders"] == ["range"]
    # Reports and access logs are never called from browsers
    assert "CorsConfiguration" not in _bucket(template, "BucketsReports")
    assert "CorsConfiguration" not in _bucket(template, "BucketsAccessLogs")


@pytest.mark.parametrize("origins", [("*",), ("https://app.example.org", "https://*.example.org")])
def test_a_wildcard_origin_is_refused_in_prod(origins: tuple[str, ...]) -> None:
    with pytest.raises(ConfigError, match="wildcard"):
        _buckets_template("prod", origins)
