"""The nightly crime-pattern schedule: EventBridge Scheduler → function ``pattern-schedule``, which
requests one pattern run per organisation (run header + outbox item in one transaction); the outbox
relay then publishes the run-requested events that the pattern job consumes.

The schedule passes its own scheduled time (``<aws.scheduler.scheduled-time>``), so a retried
delivery or invocation requests the same runs (same ids) and nothing twice. Failures end in one
dead-letter queue: deliveries the scheduler could not make, and invocations that still failed after
Lambda's asynchronous retries."""

from __future__ import annotations

import aws_cdk as cdk
from argus.functions import PATTERN_SCHEDULE
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.functions import ArgusFunction, FunctionAssets
from infra.constructs.queues import dead_letter_queue
from infra.constructs.table import grant_table

# 02:00 UK time, every day: after the day's incidents, before the morning briefings.
SCHEDULE = scheduler.ScheduleExpression.cron(minute="0", hour="2", time_zone=cdk.TimeZone.EUROPE_LONDON)
RETRY_ATTEMPTS = 3
MAX_EVENT_AGE = cdk.Duration.hours(2)


class PatternSchedule(Construct):
    """Function ``pattern-schedule``, its nightly schedule and their dead-letter queue."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        assets: FunctionAssets,
        table: dynamodb.ITable,
        key: kms.IKey,
        environment: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = dead_letter_queue(
            self,
            destination_of="the nightly schedule's target and of the scheduled function's failed "
            "asynchronous invocations",
        )
        self.handler = ArgusFunction(
            self,
            "Handler",
            config=config,
            assets=assets,
            function=PATTERN_SCHEDULE,
            description="Argus pattern-schedule: requests every organisation's nightly crime-pattern run",
            environment=environment,
            memory_mb=256,
            timeout=cdk.Duration.seconds(60),
        )
        # Reads the organisations (GSI1 query) and writes run headers + outbox items in one transaction.
        grant_table(self.handler.role, table, key, write=True)
        # The scheduler invokes asynchronously: an invocation failing after Lambda's retries lands here.
        self.handler.function.configure_async_invoke(
            retry_attempts=2,
            max_event_age=MAX_EVENT_AGE,
            on_failure=destinations.SqsDestination(self.dead_letters),
        )
        # The scheduler's own role, with exact ARNs: the target's default role would also allow every
        # version and alias of the function (``<arn>:*``), which the schedule never invokes.
        self.invoke_role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}},
            ),
            description="Lets the nightly pattern schedule invoke its function and use its dead-letter queue",
        )
        self.invoke_role.add_to_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"], resources=[self.handler.function.function_arn]
            )
        )
        self.invoke_role.add_to_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.dead_letters.queue_arn])
        )
        self.schedule = scheduler.Schedule(
            self,
            "Nightly",
            description="Argus: nightly crime-pattern runs (02:00 Europe/London)",
            schedule=SCHEDULE,
            target=scheduler_targets.LambdaInvoke(
                self.handler.function,
                input=scheduler.ScheduleTargetInput.from_object(
                    {"scheduledTime": scheduler.ContextAttribute.scheduled_time}
                ),
                dead_letter_queue=self.dead_letters,
                retry_attempts=RETRY_ATTEMPTS,
                max_event_age=MAX_EVENT_AGE,
                role=self.invoke_role.without_policy_updates(),
            ),
        )
