"""AWS Backup of the evidence: the table and the media and reports buckets, daily, kept for the
stage's ``backup_retention_days``.

Point-in-time recovery already covers the table's last 35 days against mistakes; these recovery points
live in a backup vault apart from the data (a deleted table or bucket, or a bad write discovered too
late, is still recoverable). Only what is named here is backed up: the quarantine bucket (unsanitised
uploads, never evidence) and the access logs are not.

The vault uses AWS Backup's default key rather than the data key: a disabled or deleted data key must
not take the backups with it. The role uses AWS Backup's own service-role policies (backup and restore,
S3 included), which AWS keeps in step with the service."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.functions import removal_policy
from infra.nag import acknowledge

# 03:00 UK time: after the nightly pattern runs (02:00), before the working day.
SCHEDULE = events.Schedule.cron(minute="0", hour="3")
TIME_ZONE = cdk.TimeZone.EUROPE_LONDON
SERVICE_ROLE_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
)


class EvidenceBackup(Construct):
    """Vault, daily plan and the selection of exactly ``table`` and ``buckets``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        table: dynamodb.ITable,
        buckets: Sequence[s3.IBucket],
    ) -> None:
        super().__init__(scope, construct_id)
        self.vault = backup.BackupVault(
            self,
            "Vault",
            backup_vault_name=f"argus-{config.stage}",
            removal_policy=removal_policy(config),
        )
        self.plan = backup.BackupPlan(
            self,
            "Plan",
            backup_plan_name=f"argus-{config.stage}",
            backup_vault=self.vault,
            backup_plan_rules=[
                backup.BackupPlanRule(
                    rule_name="Daily",
                    schedule_expression=SCHEDULE,
                    schedule_expression_timezone=TIME_ZONE,
                    delete_after=cdk.Duration.days(config.backup_retention_days),
                )
            ],
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("backup.amazonaws.com"),
            description="AWS Backup backs up and restores the Argus table and evidence buckets",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(name) for name in SERVICE_ROLE_POLICIES
            ],
        )
        for name in SERVICE_ROLE_POLICIES:
            acknowledge(
                self.role,
                f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{name}]",
                "AWS Backup's own service-role policies (DynamoDB and S3 backup and restore) are "
                "maintained by AWS in step with the service; this role is assumable by "
                "backup.amazonaws.com only.",
            )
        self.plan.add_selection(
            "Evidence",
            backup_selection_name="evidence",
            role=self.role,
            resources=[
                backup.BackupResource.from_dynamo_db_table(table),
                *(backup.BackupResource.from_arn(bucket.bucket_arn) for bucket in buckets),
            ],
        )
