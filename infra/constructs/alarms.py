"""Alarms notify the ops team through one encrypted SNS topic (and a configured ops topic, if any): any
message in a dead-letter queue, function errors, throttles and invocations near their timeout, a
queue's oldest message getting old, a lagging outbox relay, 5xx answers of the HTTP and real-time
APIs, DynamoDB throttles and system errors, EventBridge rules failing or losing events. One
CloudWatch dashboard shows every alarm and its metric.

A message in a dead-letter queue is an event some consumer never processed: it always needs a person, so
the threshold is one message. The topic's key is its own: CloudWatch can publish to a KMS-encrypted
topic only when the key policy lets the CloudWatch service use the key, and an AWS-managed key cannot
say that."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
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
# An invocation this close to its timeout will soon be one that times out.
NEAR_TIMEOUT = 0.9
# The table operations the functions use (SystemErrors is reported per operation).
TABLE_OPERATIONS = (
    "GetItem",
    "BatchGetItem",
    "Query",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
)


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
        self._actions = [actions.SnsAction(self.topic)]
        if config.alarm_topic_arn:
            # An existing ops topic (same region): every alarm notifies it as well.
            ops = sns.Topic.from_topic_arn(self, "OpsTopic", config.alarm_topic_arn)
            self._actions.append(actions.SnsAction(ops))
        self._stage = config.stage

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
        alarm.add_alarm_action(*self._actions)
        alarm.add_ok_action(*self._actions)
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

    def function_throttles(
        self, construct_id: str, function: lambda_.IFunction, what: str
    ) -> cloudwatch.Alarm:
        """Alarm when ``function`` is throttled (its reserved concurrency or the account's is used up)."""
        metric = function.metric_throttles(period=FIVE_MINUTES, statistic="Sum")
        return self._alarm(construct_id, metric, f"Throttled invocations of the function {what}", 1)

    def function_near_timeout(
        self, construct_id: str, function: lambda_.IFunction, timeout: cdk.Duration, what: str
    ) -> cloudwatch.Alarm:
        """Alarm when the slowest invocation of five minutes comes within a tenth of ``timeout``."""
        metric = function.metric_duration(period=FIVE_MINUTES, statistic="Maximum")
        threshold = round(timeout.to_milliseconds() * NEAR_TIMEOUT)
        return self._alarm(
            construct_id,
            metric,
            f"The function {what} ran for {threshold} ms, near its {timeout.to_seconds()} s timeout",
            threshold,
        )

    def queue_age(
        self, construct_id: str, queue: sqs.IQueue, max_age: cdk.Duration, what: str
    ) -> cloudwatch.Alarm:
        """Alarm when the oldest message of ``queue`` waits longer than ``max_age`` (a backlog)."""
        metric = queue.metric_approximate_age_of_oldest_message(period=ONE_MINUTE, statistic="Maximum")
        seconds = max_age.to_seconds()
        return self._alarm(
            construct_id,
            metric,
            f"The oldest message of {what} is more than {seconds} s old",
            seconds,
            evaluation_periods=5,
            comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )

    def table_throttles(
        self, construct_id: str, table: dynamodb.ITable, indexes: tuple[str, ...]
    ) -> list[cloudwatch.Alarm]:
        """Alarms on throttled reads and writes of the table and of each index (a throttled index
        slows the table's writes)."""
        found = []
        for index in (None, *indexes):
            dimensions = {"TableName": table.table_name}
            if index is not None:
                dimensions["GlobalSecondaryIndexName"] = index
            for kind in ("Read", "Write"):
                metric = cloudwatch.Metric(
                    namespace="AWS/DynamoDB",
                    metric_name=f"{kind}ThrottleEvents",
                    dimensions_map=dimensions,
                    period=FIVE_MINUTES,
                    statistic="Sum",
                )
                where = f"index {index}" if index else "the table"
                found.append(
                    self._alarm(
                        f"{construct_id}{index or 'Table'}{kind}",
                        metric,
                        f"Throttled {kind.lower()}s on {where}",
                        1,
                    )
                )
        return found

    def table_system_errors(self, construct_id: str, table: dynamodb.ITable) -> list[cloudwatch.Alarm]:
        """Alarms on DynamoDB's own errors (HTTP 500) for each operation the functions use."""
        return [
            self._alarm(
                f"{construct_id}{operation}",
                cloudwatch.Metric(
                    namespace="AWS/DynamoDB",
                    metric_name="SystemErrors",
                    dimensions_map={"TableName": table.table_name, "Operation": operation},
                    period=FIVE_MINUTES,
                    statistic="Sum",
                ),
                f"DynamoDB system errors on {operation}",
                1,
            )
            for operation in TABLE_OPERATIONS
        ]

    def appsync_server_errors(
        self, construct_id: str, api: appsync.IGraphqlApi, what: str
    ) -> cloudwatch.Alarm:
        """Alarm when the AppSync API answers 5xx."""
        metric = cloudwatch.Metric(
            namespace="AWS/AppSync",
            metric_name="5XXError",
            dimensions_map={"GraphQLAPIId": api.api_id},
            period=FIVE_MINUTES,
            statistic="Sum",
        )
        return self._alarm(construct_id, metric, f"5xx answers from {what}", 5)

    def rule_failures(
        self, construct_id: str, rule: events.IRule, bus: events.IEventBus, what: str
    ) -> list[cloudwatch.Alarm]:
        """Alarms when ``rule`` (on the custom ``bus``) fails to deliver an event after its retries, and
        when it cannot even put the event in its dead-letter queue (the event is lost)."""
        dimensions = {"EventBusName": bus.event_bus_name, "RuleName": rule.rule_name}
        found = []
        for metric_name, description in (
            ("FailedInvocations", f"The rule {what} failed to deliver events (see its dead-letter queue)"),
            (
                "InvocationsFailedToBeSentToDlq",
                f"The rule {what} lost events: its dead-letter queue refused them",
            ),
        ):
            metric = cloudwatch.Metric(
                namespace="AWS/Events",
                metric_name=metric_name,
                dimensions_map=dimensions,
                period=FIVE_MINUTES,
                statistic="Sum",
            )
            found.append(self._alarm(f"{construct_id}{metric_name}", metric, description, 1))
        return found

    def add_dashboard(self) -> cloudwatch.Dashboard:
        """The stage's dashboard: the state of every alarm, then each alarm's metric against its
        threshold. Call once, after the last alarm."""
        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"argus-{self._stage}")
        dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Argus alarms", alarms=list(self.alarms), width=24, height=8)
        )
        dashboard.add_widgets(
            *(
                cloudwatch.AlarmWidget(alarm=alarm, title=alarm.node.id, width=6, height=5)
                for alarm in self.alarms
            )
        )
        return dashboard
