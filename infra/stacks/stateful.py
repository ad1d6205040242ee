"""The stateful stack: what holds data and must outlive any redeployment of the service (table and its
key, event bus and archive, buckets, and the user pool: its users are data too). Kept apart so the
service stack can be destroyed and recreated freely."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.backup import EvidenceBackup
from infra.constructs.event_bus import ArgusEventBus
from infra.constructs.identity import Identity
from infra.constructs.media import media_bucket_export, quarantine_bucket_export
from infra.constructs.storage import Buckets
from infra.constructs.table import ArgusTable


class StatefulStack(cdk.Stack):
    """Table (+ KMS key), event bus (+ archive), buckets (media, quarantine, reports, access logs),
    identity (a Cognito user pool, or nothing when tokens come from an external issuer)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.data = ArgusTable(self, "Data", config=config)
        self.events = ArgusEventBus(self, "Events", config=config)
        self.buckets = Buckets(self, "Buckets", config=config, key=self.data.key)
        self.identity = Identity(self, "Identity", config=config)
        evidence = [self.buckets.media, self.buckets.reports]  # never the quarantine nor the logs
        self.backup = EvidenceBackup(self, "Backup", config=config, table=self.data.table, buckets=evidence)

        cdk.CfnOutput(self, "TableName", value=self.data.table.table_name)
        cdk.CfnOutput(self, "EventBusName", value=self.events.bus.event_bus_name)
        cdk.CfnOutput(self, "MediaBucketName", value=self.buckets.media.bucket_name)
        cdk.CfnOutput(
            self,
            "MediaBucketArn",
            value=self.buckets.media.bucket_arn,
            export_name=media_bucket_export(self.stack_name),
        )
        cdk.CfnOutput(self, "ReportsBucketName", value=self.buckets.reports.bucket_name)
        cdk.CfnOutput(
            self,
            "QuarantineBucketArn",
            value=self.buckets.quarantine.bucket_arn,
            export_name=quarantine_bucket_export(self.stack_name),
        )
