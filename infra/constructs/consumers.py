"""Event consumers, generated from their one declaration (``argus.consumers.CONSUMERS``).

Per consumer: rule on the bus (the declared event pattern) → queue → function, with a dead-letter queue
after ``max_receive_count`` receives and partial-batch failure reporting, so one failing consumer
retries on its own without blocking the others and nothing is dropped. An event EventBridge cannot
deliver to the queue (a policy or key problem) is retried for ``TARGET_MAX_EVENT_AGE`` and then lands
in the same dead-letter queue: one place holds everything a consumer never processed, and a redrive
to the queue replays both kinds (their bodies are the same EventBridge event). The event source
mapping runs at most the declared ``maximum_concurrency`` invocations at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from argus.platform.consumers import ConsumerSpec
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.functions import ArgusFunction, FunctionAssets
from infra.constructs.queues import dead_letter_queue
from infra.constructs.table import grant_table

# AWS recommends a queue visibility timeout of six times the function timeout, so that a message is not
# redelivered while the batch holding it is still being retried.
VISIBILITY_TO_TIMEOUT = 6
# EventBridge → queue: retried with back-off for at most two hours (an SQS or KMS outage), then the
# dead-letter queue (alarmed). The age bounds the retries well before the attempts do.
TARGET_MAX_EVENT_AGE = cdk.Duration.hours(2)
TARGET_RETRY_ATTEMPTS = 185


def pascal(name: str) -> str:
    """``alert-fanout`` → ``AlertFanout`` (construct ids)."""
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def function_timeout(spec: ConsumerSpec) -> cdk.Duration:
    return cdk.Duration.seconds(max(3, spec.visibility_timeout_seconds // VISIBILITY_TO_TIMEOUT))


def rule_with_pattern(
    scope: Construct, construct_id: str, *, bus: events.IEventBus, pattern: dict[str, Any], description: str
) -> events.Rule:
    """A rule whose event pattern is exactly ``pattern`` (the declaration's JSON, with content filters
    such as ``{"prefix": ...}`` that the typed ``EventPattern`` cannot hold)."""
    # The typed pattern only satisfies the L2's validation; the L1 property is then replaced whole (a
    # property override would deep-merge the two patterns).
    rule = events.Rule(
        scope,
        construct_id,
        event_bus=bus,
        description=description,
        event_pattern=events.EventPattern(source=["argus.placeholder"]),
    )
    cfn = rule.node.default_child
    assert isinstance(cfn, events.CfnRule)
    cfn.event_pattern = pattern
    return rule


@dataclass(frozen=True)
class ConsumerResources:
    spec: ConsumerSpec
    queue: sqs.Queue
    dead_letters: sqs.Queue
    rule: events.Rule
    handler: ArgusFunction


class Consumers(Construct):
    """Everything each declared consumer needs, by consumer name."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        specs: tuple[ConsumerSpec, ...],
        assets: FunctionAssets,
        bus: events.IEventBus,
        table: dynamodb.ITable,
        key: kms.IKey,
        environment: dict[str, str],
        audit_writer: str | None = None,
    ) -> None:
        """``audit_writer``: the name of the consumer that writes the audit trail (the only role allowed
        to put and update items in the audit partitions)."""
        super().__init__(scope, construct_id)
        self.by_name: dict[str, ConsumerResources] = {}
        self._audit_writer = audit_writer
        for spec in specs:
            if spec.name in self.by_name:
                raise ValueError(f"consumer {spec.name!r} is declared twice")
            self.by_name[spec.name] = self._consumer(spec, config, assets, bus, table, key, environment)

    def _consumer(
        self,
        spec: ConsumerSpec,
        config: StageConfig,
        assets: FunctionAssets,
        bus: events.IEventBus,
        table: dynamodb.ITable,
        key: kms.IKey,
        environment: dict[str, str],
    ) -> ConsumerResources:
        scope = Construct(self, pascal(spec.name))
        dead_letters = dead_letter_queue(scope)
        queue = sqs.Queue(
            scope,
            "Queue",
            visibility_timeout=cdk.Duration.seconds(spec.visibility_timeout_seconds),
            retention_period=cdk.Duration.days(4),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=dead_letters, max_receive_count=spec.max_receive_count
            ),
        )
        rule = rule_with_pattern(
            scope,
            "Rule",
            bus=bus,
            pattern=spec.event_pattern,
            description=f"Consumer {spec.name}: {spec.description}"[:512],
        )
        rule.add_target(
            targets.SqsQueue(
                queue,
                dead_letter_queue=dead_letters,
                max_event_age=TARGET_MAX_EVENT_AGE,
                retry_attempts=TARGET_RETRY_ATTEMPTS,
            )
        )
        handler = ArgusFunction(
            scope,
            "Handler",
            config=config,
            assets=assets,
            function=spec,
            description=f"Argus consumer {spec.name}: {spec.description}"[:256],
            environment={**environment, **spec.environment},
            memory_mb=spec.memory_mb,
            timeout=function_timeout(spec),
        )
        # Every consumer writes its processed-event marker (idempotency) in the table, with its own writes.
        grant_table(handler.role, table, key, write=True, audit_writer=spec.name == self._audit_writer)
        handler.function.add_event_source(
            sources.SqsEventSource(
                queue,
                batch_size=spec.batch_size,
                report_batch_item_failures=True,
                max_concurrency=spec.maximum_concurrency,
            )
        )
        return ConsumerResources(spec, queue, dead_letters, rule, handler)
