"""The live-event catalogue: which events go live, the subscriptions that follow one entity and whose
relation is checked when a client subscribes, and the events that end such a subscription.

Read by CDK (infra/constructs/realtime.py: the rule, the AppSync resolvers and the authoriser
function), by the outbox relay (live events carry their data as JSON text) and by the AppSync
authoriser (argus.handlers.realtime_authorizer). Locally, Strawberry serves the same subscriptions and
checks the same relations itself (argus.api.live.follow)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from argus.incidents import events as incident_events
from argus.watch import events as watch_events

# Events delivered live to subscribed clients (AppSync on AWS, Strawberry over WebSocket locally).
# The organisation's own types are spelt out: its events module loads the organisation model.
LIVE_EVENT_TYPES: tuple[str, ...] = (
    "org.argus.organisation.created.v2",
    "org.argus.organisation.updated.v2",
    *watch_events.LIVE_TYPES,
    *incident_events.LIVE_TYPES,
)
LIVE_EVENTS_PATTERN = {"detail-type": list(LIVE_EVENT_TYPES)}

# The Lambda function AppSync calls when a client subscribes to a followed subscription.
AUTHORIZER_HANDLER = "argus.handlers.realtime_authorizer.handler"
AUTHORIZER_DESCRIPTION = "Argus realtime-authorizer: checks the relation behind a live subscription"


@dataclass(frozen=True)
class FollowedSubscription:
    """A subscription to one entity's live events (its CloudEvent ``subject``), open to the callers
    related to that entity."""

    field: str  # the Subscription field of schema/realtime.graphql
    argument: str  # the argument naming the entity
    type_prefix: str  # the event types it carries


WATCH_GROUP_ACTIVITY = FollowedSubscription("watchGroupActivity", "groupId", "org.argus.watch.")
INCIDENT_TIMELINE = FollowedSubscription("incidentTimeline", "incidentId", "org.argus.incident.")
FOLLOWED: tuple[FollowedSubscription, ...] = (WATCH_GROUP_ACTIVITY, INCIDENT_TIMELINE)

# What names the subscriber in an invalidation: the member record they follow a group as, or their
# subject as a block's captain.
MEMBER_KEY = "memberId"
CAPTAIN_KEY = "captain"
# Every invalidation is also scoped to the organisation and the followed entity (named as the
# LiveEvent fields that hold them).
SCOPE_KEYS = ("orgId", "subject")


@dataclass(frozen=True)
class EndingEvent:
    """A live event that ends the followed subscriptions of the person it names: ``data[data_field]``
    is compared with what the subscriber was accepted as under ``key``."""

    event_type: str
    subscription: FollowedSubscription
    key: str
    data_field: str


ENDING_EVENTS: tuple[EndingEvent, ...] = (
    # A member left or was removed.
    EndingEvent(watch_events.MEMBER_LEFT, WATCH_GROUP_ACTIVITY, MEMBER_KEY, "memberId"),
    # A block's captain was replaced (their subscription ends even when they still captain another
    # block of the group or are also a member: they subscribe again and are checked again).
    EndingEvent(watch_events.CAPTAIN_ASSIGNED, WATCH_GROUP_ACTIVITY, CAPTAIN_KEY, "previousCaptain"),
)


def invalidation_filter(org_id: str, subject: str, names: dict[str, list[str]]) -> dict[str, Any] | None:
    """The invalidation filter of one accepted subscription (input of AppSync's
    ``util.transform.toSubscriptionFilter``): it matches an ending event's payload that names the
    subscriber under one of ``names`` (key → values). None when nothing can end it (staff)."""
    scope = dict(zip(SCOPE_KEYS, ({"eq": org_id}, {"eq": subject}), strict=True))
    rules = [{**scope, key: {"eq": value}} for key, values in names.items() for value in values]
    if not rules:
        return None
    return rules[0] if len(rules) == 1 else {"or": rules}
