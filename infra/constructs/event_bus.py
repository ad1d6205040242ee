"""The EventBridge bus every Argus event travels on, with an archive so events can be replayed (a
consumer fixed after a bug re-reads what it missed)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from constructs import Construct

from infra.config import StageConfig

# Every Argus event reaches the bus with Source "argus.<domain>" (argus.platform.publisher).
ARGUS_SOURCE_PREFIX = "argus."


class ArgusEventBus(Construct):
    """Bus ``argus`` (name from config) and an archive of every Argus event on it."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(
            self,
            "Bus",
            event_bus_name=config.event_bus_name,
            description=f"Argus {config.stage}: CloudEvents of every domain (Source argus.<domain>)",
        )
        self.archive = self.bus.archive(
            "Archive",
            description="Every Argus event, for replay",
            event_pattern=events.EventPattern(source=events.Match.prefix(ARGUS_SOURCE_PREFIX)),
            retention=cdk.Duration.days(config.archive_retention_days),
        )
