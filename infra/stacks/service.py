"""The service stack: functions, APIs, rules and alarms. Holds no data, so it can be replaced at will;
it reads the table, key, bus and identity of the stateful stack."""

from __future__ import annotations

import aws_cdk as cdk
from argus.consumers import CONSUMERS
from argus.platform.consumers import ConsumerSpec
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.alarms import Alarms
from infra.constructs.consumers import Consumers, pascal
from infra.constructs.functions import FunctionAssets
from infra.constructs.graphql_api import GraphqlApi
from infra.constructs.identity import Identity
from infra.constructs.media import grant_media, media_bucket_export
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
        media_bucket = stateful.buckets.media
        base_env = settings_environment(
            config,
            table_name=table.table_name,
            event_bus_name=bus.event_bus_name,
            media_bucket=media_bucket.bucket_name,
        )

        self.assets = FunctionAssets(self, "Assets")
        self.identity = stateful.identity
        self.realtime = Realtime(self, "Realtime", config=config, identity=self.identity, bus=bus)
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
            ),
        )
        media_export = media_bucket_export(stateful.stack_name)
        grant_media(self, "GraphqlMediaAccess", self.graphql.handler.role, media_export, key, sanitiser=False)
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
        )
        sanitiser = self.consumers.by_name.get("incident-media")
        if sanitiser is not None:
            grant_media(
                self,
                "SanitiserMediaAccess",
                sanitiser.handler.role,
                media_export,
                key,
                sanitiser=True,
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
        self.alarms = Alarms(self, "Alarms", config=config)
        self._add_alarms()

    def _add_alarms(self) -> None:
        alarms = self.alarms
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
