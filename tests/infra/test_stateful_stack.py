"""The stateful stack: the table is the spec's table, data is encrypted and retained, the bus archives."""

from __future__ import annotations

import pytest
from argus.platform.table import TABLE, create_table_request
from aws_cdk.assertions import Match
from synth_support import Synth, only

pytestmark = pytest.mark.infra


def test_table_has_the_keys_indexes_and_stream_of_the_spec(dev: Synth) -> None:
    # Given the table spec that the local stack also builds its table from
    request = create_table_request("argus", TABLE)
    # Then the deployed table has exactly its keys, attribute definitions and GSIs
    _, table = only(dev.stateful, "AWS::DynamoDB::Table")
    props = table["Properties"]
    assert props["KeySchema"] == request["KeySchema"]
    assert sorted(props["AttributeDefinitions"], key=str) == sorted(request["AttributeDefinitions"], key=str)
    assert props["GlobalSecondaryIndexes"] == request["GlobalSecondaryIndexes"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_table_is_encrypted_with_its_own_rotating_key(dev: Synth) -> None:
    keys = dev.stateful.find_resources("AWS::KMS::Key")
    (key_id,) = keys
    assert keys[key_id]["Properties"]["EnableKeyRotation"] is True
    dev.stateful.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "SSESpecification": {
                "SSEEnabled": True,
                "SSEType": "KMS",
                "KMSMasterKeyId": {"Fn::GetAtt": [key_id, "Arn"]},
            }
        },
    )


def test_table_and_key_are_retained_and_protected_in_production(external: Synth, dev: Synth) -> None:
    external.stateful.has_resource(
        "AWS::DynamoDB::Table",
        {"DeletionPolicy": "Retain", "Properties": Match.object_like({"DeletionProtectionEnabled": True})},
    )
    external.stateful.has_resource("AWS::KMS::Key", {"DeletionPolicy": "Retain"})
    # A development stack can be torn down
    dev.stateful.has_resource("AWS::DynamoDB::Table", {"DeletionPolicy": "Delete"})


def test_event_bus_is_named_argus_and_archives_every_argus_event(dev: Synth) -> None:
    buses = dev.stateful.find_resources("AWS::Events::EventBus", {"Properties": {"Name": "argus"}})
    (bus_id,) = buses
    dev.stateful.has_resource_properties(
        "AWS::Events::Archive",
        {
            "SourceArn": {"Fn::GetAtt": [bus_id, "Arn"]},
            "EventPattern": {"source": [{"prefix": "argus."}]},
            "RetentionDays": Match.any_value(),
        },
    )


def test_buckets_are_private_encrypted_tls_only_and_logged(dev: Synth) -> None:
    buckets = dev.stateful.find_resources("AWS::S3::Bucket")
    assert len(buckets) == 3  # media, reports, access logs
    (key_id,) = dev.stateful.find_resources("AWS::KMS::Key")
    log_buckets = [k for k, v in buckets.items() if "LoggingConfiguration" not in v["Properties"]]
    assert len(log_buckets) == 1
    (log_bucket,) = log_buckets
    for bucket_id, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        if bucket_id == log_bucket:
            assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
        else:
            assert rule["ServerSideEncryptionByDefault"] == {
                "SSEAlgorithm": "aws:kms",
                "KMSMasterKeyID": {"Fn::GetAtt": [key_id, "Arn"]},
            }
            assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": log_bucket}
        assert bucket["DeletionPolicy"] == "Retain"
        # TLS only: a bucket policy denies every request without SecureTransport
        dev.stateful.has_resource_properties(
            "AWS::S3::BucketPolicy",
            {
                "Bucket": {"Ref": bucket_id},
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Effect": "Deny",
                                    "Action": "s3:*",
                                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                }
                            )
                        ]
                    )
                },
            },
        )
