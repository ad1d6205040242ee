"""The service stack: functions, APIs, rules and alarms. Holds no data, so it can be replaced at will;
it reads the table, key, bus and identity of the stateful stack."""

from __future__ import annotations

import aws_cdk as cdk
from argus.consumers import AUDIT, CONSUMERS
from argus.platform.consumers import ConsumerSpec
from argus.platform.table import TABLE
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.alarms import Alarms
from infra.constructs.consumers import Consumers, pascal
from infra.constructs.firewall import RegionalFirewall
from infra.constructs.functions import ArgusFunction, FunctionAssets, removal_policy
from infra.constructs.graphql_api import GraphqlApi
from infra.constructs.identity import Identity
from infra.constructs.media import grant_media_access
from infra.constructs.outbox_relay import OutboxRelay
from infra.constructs.pattern_schedule import PatternSchedule
from infra.constructs.realtime import Realtime
from infra.stacks.stateful import StatefulStack


def settings_environment(
    config: StageConfig,
    *,
    table_name: str,
    event_bus_name: str,
    identity: Identity | None = None,
    realtime_url: str | None = None,
    media_bucket: str | None = None,
    quarantine_bucket: str | None = None,
) -> dict[str, str]:
    """``ARGUS_*`` variables read by ``argus.platform.settings.Settings`` (one per settings field)."""
    env = {
        "ARGUS_STAGE": config.stage,
        "ARGUS_REGION": cdk.Aws.REGION,
        "ARGUS_TABLE_NAME": table_name,
        "ARGUS_EVENT_BUS_NAME": event_bus_name,
    }
    if identity is not None:
        env |= {
            "ARGUS_JWT_ISSUER": identity.issuer,
            "ARGUS_JWT_AUDIENCE": identity.audience,
            "ARGUS_ORG_CLAIM": identity.org_claim,
            # Roles come from one claim: with Cognito the groups claim, so an attribute a user could
            # set never grants a role.
            "ARGUS_ROLES_CLAIM": identity.roles_claim,
            "ARGUS_GROUPS_CLAIM": identity.roles_claim,
        }
        if identity.jwks_url:
            env["ARGUS_JWKS_URL"] = identity.jwks_url
    if realtime_url is not None:
        env["ARGUS_REALTIME_URL"] = realtime_url
    if media_bucket is not None:
        env["ARGUS_MEDIA_BUCKET"] = media_bucket
    if quarantine_bucket is not None:
        env["ARGUS_QUARANTINE_BUCKET"] = quarantine_bucket
    return env


class ServiceStack(cdk.Stack):
    """GraphQL function + HTTP API, outbox relay, consumers, nightly pattern schedule, real-time API,
    alarms."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        stateful: StatefulStack,
        consumers: tuple[ConsumerSpec, ...] = CONSUMERS,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        table, key, bus = stateful.data.table, stateful.data.key, stateful.events.bus
        media_bucket, quarantine_bucket = stateful.buckets.media, stateful.buckets.quarantine
        base_env = settings_environment(
            config,
            table_name=table.table_name,
            event_bus_name=bus.event_bus_name,
            media_bucket=media_bucket.bucket_name,
            quarantine_bucket=quarantine_bucket.bucket_name,
        )

        self.assets = FunctionAssets(self, "Assets")
        self.identity = stateful.identity
        self.realtime = Realtime(
            self,
            "Realtime",
            config=config,
            identity=self.identity,
            bus=bus,
            assets=self.assets,
            table=table,
            key=key,
            environment=settings_environment(
                config, table_name=table.table_name, event_bus_name=bus.event_bus_name, identity=self.identity
            ),
        )
        self.graphql = GraphqlApi(
            self,
            "Graphql",
            config=config,
            assets=self.assets,
            identity=self.identity,
            table=table,
            key=key,
            environment=settings_environment(
                config,
                table_name=table.table_name,
                event_bus_name=bus.event_bus_name,
                identity=self.identity,
                realtime_url=self.realtime.api.graphql_url,
                media_bucket=media_bucket.bucket_name,
                quarantine_bucket=quarantine_bucket.bucket_name,
            ),
        )
        self.relay = OutboxRelay(
            self, "OutboxRelay", config=config, assets=self.assets, table=table, bus=bus, environment=base_env
        )
        self.consumers = Consumers(
            self,
            "Consumers",
            config=config,
            specs=consumers,
            assets=self.assets,
            bus=bus,
            table=table,
            key=key,
            environment=base_env,
            audit_writer=AUDIT.name,
        )
        grant_media_access(
            self,
            graphql=self.graphql.handler.role,
            consumers={name: c.handler.role for name, c in self.consumers.by_name.items()},
            stateful_stack_name=stateful.stack_name,
            key=key,
        )
        self.pattern_schedule = PatternSchedule(
            self,
            "PatternSchedule",
            config=config,
            assets=self.assets,
            table=table,
            key=key,
            environment=base_env,
        )
        # WAF for what AWS WAF can attach to here: the real-time API, and the user pool when Argus has one
        # (the GraphQL HTTP API is protected at CloudFront, by the edge stack).
        protected = {"RealtimeApi": self.realtime.api.arn}
        if self.identity.user_pool is not None:
            protected["UserPool"] = self.identity.user_pool.user_pool_arn
        self.firewall = RegionalFirewall(self, "Firewall", config=config, protected=protected)
        # Dead-letter queues hold events nothing processed yet: in production they outlive the stack
        # (a replaced or deleted service leaves them, with their messages, to be redriven).
        for queue in self.dead_letter_queues():
            queue.apply_removal_policy(removal_policy(config))
        self.alarms = Alarms(self, "Alarms", config=config)
        self._add_alarms(table, bus)
        self.alarms.add_dashboard()

    def dead_letter_queues(self) -> list[sqs.Queue]:
        """Every dead-letter queue of the service."""
        return [
            self.relay.dead_letters,
            self.realtime.dead_letters,
            self.pattern_schedule.dead_letters,
            *(consumer.dead_letters for consumer in self.consumers.by_name.values()),
        ]

    def functions(self) -> dict[str, ArgusFunction]:
        """Every function of the service, by a construct-id prefix for its alarms."""
        return {
            "Graphql": self.graphql.handler,
            "Relay": self.relay.handler,
            "PatternSchedule": self.pattern_schedule.handler,
            "RealtimeAuthorizer": self.realtime.authorizer,
            **{f"Consumer{pascal(n)}": c.handler for n, c in self.consumers.by_name.items()},
        }

    def _add_alarms(self, table: dynamodb.ITable, bus: events.IEventBus) -> None:
        alarms = self.alarms
        for prefix, handler in self.functions().items():
            name = handler.function.node.path
            alarms.function_throttles(f"{prefix}Throttles", handler.function, name)
            alarms.function_near_timeout(f"{prefix}NearTimeout", handler.function, handler.timeout, name)
        alarms.table_throttles("TableThrottles", table, tuple(index.name for index in TABLE.indexes))
        alarms.table_system_errors("TableSystemErrors", table)
        alarms.appsync_server_errors("Realtime5xx", self.realtime.api, "the real-time API (AppSync)")
        alarms.rule_failures("RealtimeRule", self.realtime.rule, bus, "live events (AppSync)")
        alarms.function_errors(
            "RealtimeAuthorizerErrors", self.realtime.authorizer.function, "realtime-authorizer"
        )
        alarms.function_errors("GraphqlErrors", self.graphql.handler.function, "graphql")
        alarms.api_server_errors("GraphqlApi5xx", self.graphql.http_api, "the GraphQL HTTP API")
        alarms.function_errors("RelayErrors", self.relay.handler.function, "outbox-relay")
        alarms.dead_letters("RelayDeadLetters", self.relay.dead_letters, "the outbox relay")
        alarms.stream_lag("RelayLag", self.relay.handler.function, "The outbox relay")
        alarms.dead_letters(
            "RealtimeDeadLetters", self.realtime.dead_letters, "the live events target (AppSync)"
        )
        alarms.function_errors(
            "PatternScheduleErrors", self.pattern_schedule.handler.function, "pattern-schedule"
        )
        alarms.dead_letters(
            "PatternScheduleDeadLetters", self.pattern_schedule.dead_letters, "the nightly pattern schedule"
        )
        for name, consumer in self.consumers.by_name.items():
            prefix = f"Consumer{pascal(name)}"
            alarms.function_errors(f"{prefix}Errors", consumer.handler.function, f"consumer {name}")
            alarms.dead_letters(f"{prefix}DeadLetters", consumer.dead_letters, f"consumer {name}")
            alarms.rule_failures(f"{prefix}Rule", consumer.rule, bus, f"of consumer {name}")
            # Older than every retry would make it (visibility timeout times receives): a backlog.
            spec = consumer.spec
            max_age = cdk.Duration.seconds(max(300, spec.visibility_timeout_seconds * spec.max_receive_count))
            alarms.queue_age(f"{prefix}QueueAge", consumer.queue, max_age, f"consumer {name}")
