"""Alarms: anything in a dead-letter queue, any function error, and a lagging outbox relay notify the
ops team through one encrypted SNS topic.

A message in a dead-letter queue is an event some consumer never processed: it always needs a person, so
the threshold is one message. The topic's key is its own: CloudWatch can publish to a KMS-encrypted
topic only when the key policy lets the CloudWatch service use the key, and an AWS-managed key cannot
say that."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.functions import removal_policy

ONE_MINUTE = cdk.Duration.minutes(1)
FIVE_MINUTES = cdk.Duration.minutes(5)
# The relay should carry an outbox item to the bus within seconds (DESIGN §1).
RELAY_LAG_MS = 60_000


AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD


class Alarms(Construct):
    """The alarm topic and helpers that add alarms to it."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "TopicKey",
            description=f"Argus {config.stage}: encrypts the alarm topic",
            enable_key_rotation=True,
            removal_policy=removal_policy(config),
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}},
            )
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name=f"Argus {config.stage} alarms",
            master_key=self.key,
            enforce_ssl=True,
        )
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []
        self._action = actions.SnsAction(self.topic)

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.Metric,
        description: str,
        threshold: float,
        *,
        evaluation_periods: int = 1,
        comparison: cloudwatch.ComparisonOperator = AT_LEAST,
    ) -> cloudwatch.Alarm:
        """One alarm on ``metric`` that notifies the topic when it fires and when it clears; no data is OK."""
        alarm = metric.create_alarm(
            self,
            construct_id,
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            comparison_operator=comparison,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms.append(alarm)
        return alarm

    def dead_letters(self, construct_id: str, queue: sqs.IQueue, what: str) -> cloudwatch.Alarm:
        """Alarm when ``queue`` (a dead-letter queue) holds any message."""
        metric = queue.metric_approximate_number_of_messages_visible(period=ONE_MINUTE, statistic="Maximum")
        description = f"Messages in the dead-letter queue of {what}: unprocessed events"
        return self._alarm(construct_id, metric, description, 1)

    def function_errors(self, construct_id: str, function: lambda_.IFunction, what: str) -> cloudwatch.Alarm:
        """Alarm when ``function`` fails an invocation (an unhandled error, a timeout, out of memory)."""
        metric = function.metric_errors(period=FIVE_MINUTES, statistic="Sum")
        return self._alarm(construct_id, metric, f"Errors in the function {what}", 1)

    def stream_lag(self, construct_id: str, function: lambda_.IFunction, what: str) -> cloudwatch.Alarm:
        """Alarm when a stream-reading function falls behind (the age of the last record it read)."""
        metric = function.metric("IteratorAge", period=ONE_MINUTE, statistic="Maximum")
        return self._alarm(
            construct_id,
            metric,
            f"{what} is more than {RELAY_LAG_MS // 1000} s behind the table stream",
            RELAY_LAG_MS,
            evaluation_periods=5,
            comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )

    def api_server_errors(self, construct_id: str, api: apigwv2.HttpApi, what: str) -> cloudwatch.Alarm:
        """Alarm when the HTTP API answers 5xx (the function failed or timed out)."""
        metric = api.metric_server_error(period=FIVE_MINUTES, statistic="Sum")
        return self._alarm(construct_id, metric, f"5xx answers from {what}", 5)
