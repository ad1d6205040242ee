"""Real-time delivery: an AppSync API whose only job is GraphQL subscriptions (schema/realtime.graphql).

EventBridge rule (``argus.consumers.LIVE_EVENTS_PATTERN``) → ``publishLiveEvent`` mutation (IAM, NONE
data source, arguments passed through) → subscribers. Every subscription resolver sets an enhanced
filter from the subscriber's verified token (the organisation claim), so a client receives only its
own organisation's events and has no argument with which to ask for another's.

The subscriptions that follow one entity (``argus.realtime.FOLLOWED``: a watch group, an incident)
resolve on a Lambda data source, function ``realtime-authorizer``, which checks the relation the local
subscriptions check (member, captain, reporter, staff) when the client subscribes; its decision refuses
the subscription or sets an invalidation filter, and the publish mutation invalidates the followed
subscriptions of a member who left or a captain who was replaced (``argus.realtime.ENDING_EVENTS``).
The resolvers' code is written by infra/constructs/realtime_code.py.

Logging: request-level logs without verbose content, which would include request headers and so the
subscribers' bearer tokens (DESIGN §7: logs never contain tokens)."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from argus.consumers import LIVE_EVENTS_PATTERN
from argus.functions import REALTIME_AUTHORIZER
from argus.organisations.events import ORGANISATION_CREATED
from argus.platform.cloudevents import event_domain
from argus.platform.relay import LIVE_DATA
from argus.realtime import AUTHORIZER_DESCRIPTION, FOLLOWED
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.consumers import rule_with_pattern
from infra.constructs.functions import ArgusFunction, FunctionAssets, removal_policy, retention
from infra.constructs.identity import Identity
from infra.constructs.queues import dead_letter_queue
from infra.constructs.realtime_code import followed_resolver, organisation_resolver, publish_resolver
from infra.constructs.table import KEY_READ_ACTIONS
from infra.nag import acknowledge

SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "realtime.graphql"
PUBLISH_FIELD = "publishLiveEvent"
SUBSCRIPTION_FIELD = "organisationEvents"
# organisationEvents carries the organisation domain's events (as the Strawberry subscription does).
ORGANISATION_TYPE_PREFIX = f"org.argus.{event_domain(ORGANISATION_CREATED)}."

# The CloudEvent is the EventBridge detail (DESIGN §4); each LiveEvent field comes from one of its members.
LIVE_EVENT_PATHS = {
    "id": "$.detail.id",
    "type": "$.detail.type",
    "source": "$.detail.source",
    "subject": "$.detail.subject",
    "time": "$.detail.time",
    "orgId": "$.detail.orgid",
    # AWSJSON takes JSON text: the relay adds the data as text to live events (an object fails the call).
    "data": f"$.detail.{LIVE_DATA}",
}
LIVE_EVENT_FIELDS = "id type source subject time orgId data"
PUBLISH_OPERATION = (
    "mutation PublishLiveEvent($id: String!, $type: String!, $source: String!, $subject: String, "
    "$time: AWSDateTime!, $orgId: String!, $data: AWSJSON!) { "
    f"{PUBLISH_FIELD}(id: $id, type: $type, source: $source, subject: $subject, time: $time, orgId: $orgId, "
    f"data: $data) {{ {LIVE_EVENT_FIELDS} }} }}"
)

# What the authoriser reads: items (groups, incidents, members) and queries of one person's partition
# (their memberships and captain assignments). No index, no write.
AUTHORIZER_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:Query")


class Realtime(Construct):
    """The subscriptions API, its resolvers, and the rule that feeds it."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        identity: Identity,
        bus: events.IEventBus,
        assets: FunctionAssets,
        table: dynamodb.ITable,
        key: kms.IKey,
        environment: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = appsync.GraphqlApi(
            self,
            "Api",
            name=f"argus-realtime-{config.stage}",
            definition=appsync.Definition.from_file(str(SCHEMA)),
            authorization_config=appsync.AuthorizationConfig(
                default_authorization=appsync.AuthorizationMode(
                    authorization_type=appsync.AuthorizationType.OIDC,
                    open_id_connect_config=appsync.OpenIdConnectConfig(
                        oidc_provider=identity.issuer, client_id=identity.audience
                    ),
                ),
                # The publisher (EventBridge) signs with IAM; no API key exists.
                additional_authorization_modes=[
                    appsync.AuthorizationMode(authorization_type=appsync.AuthorizationType.IAM)
                ],
            ),
            xray_enabled=config.tracing,
        )
        self._logging(config)
        none = self.api.add_none_data_source("Passthrough", description="Live events need no data source")
        none.create_resolver(
            "PublishResolver",
            type_name="Mutation",
            field_name=PUBLISH_FIELD,
            runtime=appsync.FunctionRuntime.JS_1_0_0,
            code=appsync.Code.from_inline(publish_resolver()),
        )
        none.create_resolver(
            "SubscribeResolver",
            type_name="Subscription",
            field_name=SUBSCRIPTION_FIELD,
            runtime=appsync.FunctionRuntime.JS_1_0_0,
            code=appsync.Code.from_inline(
                organisation_resolver(identity.org_claim, ORGANISATION_TYPE_PREFIX)
            ),
        )
        self.authorizer = self._authorizer(config, assets, table, key, environment)
        relations = self._authorizer_data_source()
        for followed in FOLLOWED:
            relations.create_resolver(
                f"{followed.field[0].upper()}{followed.field[1:]}Resolver",
                type_name="Subscription",
                field_name=followed.field,
                runtime=appsync.FunctionRuntime.JS_1_0_0,
                code=appsync.Code.from_inline(followed_resolver(identity.org_claim, followed)),
            )

        self.dead_letters = dead_letter_queue(self, destination_of="the EventBridge → AppSync target")
        self.publisher_role = iam.Role(
            self,
            "PublisherRole",
            assumed_by=iam.ServicePrincipal("events.amazonaws.com"),
            description="EventBridge calls publishLiveEvent on the real-time API, and nothing else",
        )
        self.api.grant_mutation(self.publisher_role, PUBLISH_FIELD)
        self.rule = rule_with_pattern(
            self,
            "LiveEvents",
            bus=bus,
            pattern=LIVE_EVENTS_PATTERN,
            description="Live events to AppSync subscribers",
        )
        self.rule.add_target(
            targets.AppSync(
                self.api,
                graph_ql_operation=PUBLISH_OPERATION,
                variables=events.RuleTargetInput.from_object(
                    {name: events.EventField.from_path(path) for name, path in LIVE_EVENT_PATHS.items()}
                ),
                event_role=self.publisher_role,
                dead_letter_queue=self.dead_letters,
                # A live event older than this is no longer live; it stays in the archive and the DLQ.
                max_event_age=cdk.Duration.hours(1),
                retry_attempts=10,
            )
        )
        cdk.CfnOutput(self, "RealtimeUrl", value=self.api.graphql_url)

    def _authorizer(
        self,
        config: StageConfig,
        assets: FunctionAssets,
        table: dynamodb.ITable,
        key: kms.IKey,
        environment: dict[str, str],
    ) -> ArgusFunction:
        """Function ``realtime-authorizer``: reads the table (items and one person's partition, no index,
        no write) through the key, used through DynamoDB only."""
        authorizer = ArgusFunction(
            self,
            "Authorizer",
            config=config,
            assets=assets,
            function=REALTIME_AUTHORIZER,
            description=AUTHORIZER_DESCRIPTION,
            environment=environment,
            memory_mb=256,
            # Well under AppSync's 30 s resolver limit: a subscriber waits for it.
            timeout=cdk.Duration.seconds(10),
        )
        authorizer.role.add_to_policy(
            iam.PolicyStatement(actions=list(AUTHORIZER_TABLE_ACTIONS), resources=[table.table_arn])
        )
        authorizer.role.add_to_policy(
            iam.PolicyStatement(
                actions=list(KEY_READ_ACTIONS),
                resources=[key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"dynamodb.{cdk.Aws.REGION}.amazonaws.com"}},
            )
        )
        return authorizer

    def _authorizer_data_source(self) -> appsync.LambdaDataSource:
        """The Lambda data source, with a role that may invoke exactly the function: the data source's
        default grant would also allow every version and alias of it (``<arn>:*``)."""
        role = iam.Role(
            self,
            "AuthorizerInvokeRole",
            assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"),
            description="AppSync invokes the real-time authoriser, and nothing else",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"], resources=[self.authorizer.function.function_arn]
            )
        )
        return appsync.LambdaDataSource(
            self,
            "Relations",
            api=self.api,
            lambda_function=self.authorizer.function,
            service_role=role.without_policy_updates(),
            description="Checks the relation behind a followed subscription (member, captain, reporter)",
        )

    def _logging(self, config: StageConfig) -> None:
        """Request logs into a log group this stack owns (with retention), written by a role that may
        write only there. Set on the L1: the L2's ``log_config`` adds a log-retention custom resource
        function with a managed policy and wildcard permissions."""
        log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/appsync/apis/{self.api.api_id}",
            retention=retention(config.log_retention_days),
            removal_policy=removal_policy(config),
        )
        role = iam.Role(
            self,
            "LogsRole",
            assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"),
            description="AppSync writes the real-time API's request logs",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        )
        cfn = self.api.node.default_child
        assert isinstance(cfn, appsync.CfnGraphQLApi)
        cfn.log_config = appsync.CfnGraphQLApi.LogConfigProperty(
            cloud_watch_logs_role_arn=role.role_arn, field_log_level="ERROR", exclude_verbose_content=True
        )
        acknowledge(
            cfn,
            "AwsSolutions-ASC3",
            "Request-level logging is on (field level ERROR) but excludes verbose content: verbose logs "
            "include request headers, i.e. subscribers' bearer tokens, which Argus never logs.",
        )
