"""The single DynamoDB table, built from ``argus.platform.table.TABLE`` (the spec the local stack uses
too), and the exact grants functions get on it.

``Table`` and not ``TableV2``: ``TableV2`` synthesizes to ``AWS::DynamoDB::GlobalTable`` and switching
later would replace the table."""

from __future__ import annotations

import aws_cdk as cdk
from argus.platform import keys
from argus.platform.table import TABLE, TableSpec
from argus.platform.tenancy import tenant_prefix
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.functions import removal_policy

READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem")
# Transactions need no action of their own: TransactWriteItems is authorised per item as these.
WRITE_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")
# The audit writer appends (PutItem) and pseudonymises personal fields on erasure (UpdateItem); nothing
# deletes from the trail. BatchWriteItem is its own IAM action and can delete.
AUDIT_WRITER_DENIED = ("dynamodb:DeleteItem", "dynamodb:BatchWriteItem")
KEY_READ_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")
KEY_WRITE_ACTIONS = ("kms:Encrypt", "kms:GenerateDataKey")

_STREAM_VIEWS = {
    "NEW_IMAGE": dynamodb.StreamViewType.NEW_IMAGE,
    "NEW_AND_OLD_IMAGES": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    "KEYS_ONLY": dynamodb.StreamViewType.KEYS_ONLY,
    "OLD_IMAGE": dynamodb.StreamViewType.OLD_IMAGE,
}


class ArgusTable(Construct):
    """Table ``PK``/``SK`` with the spec's GSIs, on-demand, NEW_IMAGE stream (for the outbox relay),
    point-in-time recovery, TTL on ``expires_at`` and a customer-managed KMS key with rotation."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, spec: TableSpec = TABLE):
        super().__init__(scope, construct_id)
        self.spec = spec
        self.key = kms.Key(
            self,
            "Key",
            description=f"Argus {config.stage}: encrypts the single table and its stream",
            enable_key_rotation=True,
            removal_policy=removal_policy(config),
        )
        string = dynamodb.AttributeType.STRING
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=spec.partition_key, type=string),
            sort_key=dynamodb.Attribute(name=spec.sort_key, type=string),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            stream=_STREAM_VIEWS[spec.stream_view],
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            time_to_live_attribute=spec.ttl_attribute,
            deletion_protection=config.retain_data,
            removal_policy=removal_policy(config),
        )
        for index in spec.indexes:
            self.table.add_global_secondary_index(
                index_name=index.name,
                partition_key=dynamodb.Attribute(name=index.partition_key, type=string),
                sort_key=dynamodb.Attribute(name=index.sort_key, type=string),
                projection_type=dynamodb.ProjectionType.ALL,
            )


def index_arns(table: dynamodb.ITable, spec: TableSpec = TABLE) -> list[str]:
    """The exact ARN of every GSI of the spec (no ``index/*`` wildcard)."""
    return [f"{table.table_arn}/index/{index.name}" for index in spec.indexes]


def audit_partitions() -> str:
    """Every organisation's audit partition key as an IAM pattern: ``ORG#*#AUDIT`` (from the key
    builders, so the pattern follows the keys). ``*`` also spans ``#``: a tenant partition key of any
    other kind must never end in ``#AUDIT`` (it would be write-protected too)."""
    sample = "org"
    return "ORG#*#" + keys.audit_pk(sample).removeprefix(tenant_prefix(sample))


def grant_table(
    grantee: iam.IGrantable,
    table: dynamodb.ITable,
    key: kms.IKey,
    *,
    write: bool,
    audit_writer: bool = False,
) -> None:
    """Item reads (and writes) on the table, queries on its GSIs, and the key used through DynamoDB only.

    No Scan (no request path scans), no table management actions. A writer is denied every write in
    the audit partitions (``dynamodb:LeadingKeys`` is the request's partition keys, for single-item and
    batch actions alike; a transaction is authorised per item as these actions); ``audit_writer`` (the
    audit consumer only) may put and update there, never delete."""
    actions = READ_ACTIONS + (WRITE_ACTIONS if write else ())
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=list(actions), resources=[table.table_arn])
    )
    if write:
        # An explicit Deny wins over any Allow, wherever else one comes from.
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="AuditTrailIsAppendOnly",
                effect=iam.Effect.DENY,
                actions=list(AUDIT_WRITER_DENIED if audit_writer else WRITE_ACTIONS),
                resources=[table.table_arn],
                conditions={"ForAnyValue:StringLike": {"dynamodb:LeadingKeys": [audit_partitions()]}},
            )
        )
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=["dynamodb:Query"], resources=index_arns(table))
    )
    key_actions = KEY_READ_ACTIONS + (KEY_WRITE_ACTIONS if write else ())
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=list(key_actions),
            resources=[key.key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"dynamodb.{cdk.Aws.REGION}.amazonaws.com"}},
        )
    )
