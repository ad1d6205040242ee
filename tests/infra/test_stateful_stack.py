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
    assert len(buckets) == 4  # media, quarantine, reports, access logs
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


def _backup_resources(synth: Synth) -> list[object]:
    (selection,) = synth.stateful.find_resources("AWS::Backup::BackupSelection").values()
    return list(selection["Properties"]["BackupSelection"]["Resources"])


def test_table_and_evidence_buckets_are_backed_up_and_nothing_else(dev: Synth) -> None:
    # Given the table and the two evidence buckets (media, reports)
    table_id, _ = only(dev.stateful, "AWS::DynamoDB::Table")
    buckets = dev.stateful.find_resources("AWS::S3::Bucket")
    media = [k for k in buckets if k.startswith("BucketsMedia")]
    reports = [k for k in buckets if k.startswith("BucketsReports")]
    assert len(media) == len(reports) == 1
    # Then the backup selection names exactly them (not the access logs, nor any quarantine bucket)
    assert sorted(map(str, _backup_resources(dev))) == sorted(
        map(
            str,
            [
                {"Fn::GetAtt": [table_id, "Arn"]},
                {"Fn::GetAtt": [media[0], "Arn"]},
                {"Fn::GetAtt": [reports[0], "Arn"]},
            ],
        )
    )


@pytest.mark.parametrize(("which", "days"), [("dev", 7), ("external", 365)])
def test_backups_run_daily_with_the_stage_retention(
    which: str, days: int, request: pytest.FixtureRequest
) -> None:
    synth: Synth = request.getfixturevalue(which)
    (plan,) = synth.stateful.find_resources("AWS::Backup::BackupPlan").values()
    (rule,) = plan["Properties"]["BackupPlan"]["BackupPlanRule"]
    assert rule["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert rule["ScheduleExpressionTimezone"] == "Europe/London"
    assert rule["Lifecycle"] == {"DeleteAfterDays": days}


def test_backup_vault_is_retained_in_production(external: Synth, dev: Synth) -> None:
    external.stateful.has_resource("AWS::Backup::BackupVault", {"DeletionPolicy": "Retain"})
    dev.stateful.has_resource("AWS::Backup::BackupVault", {"DeletionPolicy": "Delete"})
