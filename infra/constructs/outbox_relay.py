"""The outbox relay: table stream (outbox inserts only) → function → PutEvents on the bus.

The event filter keeps every other item change away from the function (it is never invoked for them).
Failures: the function reports failed records by sequence number, the batch is bisected on error, and
after ``RETRY_ATTEMPTS`` a record's position goes to a dead-letter queue; the outbox item itself stays
in the table until its TTL (7 days), so it can be re-published from there."""

from __future__ import annotations

import aws_cdk as cdk
from argus.functions import OUTBOX_RELAY
from argus.platform.relay import RELAY_MAX_ATTEMPTS
from argus.platform.table import TABLE, TableSpec
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.functions import ArgusFunction, FunctionAssets
from infra.constructs.queues import dead_letter_queue
from infra.nag import acknowledge

BATCH_SIZE = 10  # one PutEvents call takes at most 10 entries
RETRY_ATTEMPTS = RELAY_MAX_ATTEMPTS


def outbox_filter(spec: TableSpec = TABLE) -> dict[str, object]:
    """The event filter: inserted items whose discriminator is the outbox kind (mirrors
    ``argus.platform.relay.outbox_records``). ``["x"]`` is what ``FilterRule.is_equal("x")`` gives."""
    return {
        "eventName": ["INSERT"],
        "dynamodb": {"NewImage": {spec.discriminator: {"S": [spec.outbox_kind]}}},
    }


class OutboxRelay(Construct):
    """Function ``outbox-relay``, its stream event source and its dead-letter queue."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        assets: FunctionAssets,
        table: dynamodb.ITable,
        bus: events.IEventBus,
        environment: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = dead_letter_queue(
            self, destination_of="the relay's stream event source mapping (failed-batch records)"
        )
        self.handler = ArgusFunction(
            self,
            "Handler",
            config=config,
            assets=assets,
            function=OUTBOX_RELAY,
            description="Argus outbox relay: table stream (outbox items) to EventBridge",
            environment=environment,
            memory_mb=config.relay_memory_mb,
            timeout=cdk.Duration.seconds(60),
        )
        # The only application permission: put events on this one bus.
        self.handler.role.add_to_policy(
            iam.PolicyStatement(actions=["events:PutEvents"], resources=[bus.event_bus_arn])
        )
        self.handler.function.add_event_source(
            sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=BATCH_SIZE,
                filters=[lambda_.FilterCriteria.filter(outbox_filter())],
                report_batch_item_failures=True,
                bisect_batch_on_error=True,
                retry_attempts=RETRY_ATTEMPTS,
                on_failure=sources.SqsDlq(self.dead_letters),
            )
        )
        acknowledge(
            self.handler.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5[Resource::*]",
            "dynamodb:ListStreams (added by the DynamoDB event source) supports no resource-level "
            "permissions; every other statement of this policy names exact ARNs.",
        )
