"""Lambda "realtime-authorizer": AppSync runs it when a client subscribes to a live subscription that
follows one entity (argus.realtime.FOLLOWED: a watch group's activity, an incident's timeline). It
checks the relation the local Strawberry subscriptions check and returns a decision the subscription
resolver applies (infra/constructs/realtime.py):

* ``{"allowed": false, "code", "message", "details"}``: the subscription is refused with that code
  (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND), as locally;
* ``{"allowed": true, "invalidation"}``: accepted; ``invalidation`` is the filter (or None) that the
  publisher's ending events (argus.realtime.ENDING_EVENTS) are matched against to end it on AWS.

A refusal is an answer, not an error: only a failure to check (the table unreachable) raises, which
AppSync reports as INTERNAL and the function's error alarm counts. Nothing about the caller is logged.

The event is AppSync's Lambda resolver context as the resolver's request handler passes it on
(``arguments``, ``identity``, ``info``); with OpenID Connect, ``identity.claims`` are the claims of the
token AppSync verified."""

from __future__ import annotations

from typing import Any

from argus.platform.startup import loading_handler

with loading_handler():
    from aws_lambda_powertools.event_handler import AppSyncResolver

    from argus.incidents.service import access as incident_access
    from argus.platform.auth.principal import Principal, Role
    from argus.platform.auth.verifier import get_verifier
    from argus.platform.errors import ArgusError, Unauthenticated
    from argus.platform.observability import logger
    from argus.realtime import (
        CAPTAIN_KEY,
        INCIDENT_TIMELINE,
        MEMBER_KEY,
        WATCH_GROUP_ACTIVITY,
        invalidation_filter,
    )
    from argus.watch.model import MemberStatus
    from argus.watch.service import access as watch_access
    from argus.watch.service.members import my_memberships

    app = AppSyncResolver()

_NO_SUBSCRIBER = "Authentication required: the bearer token is missing or invalid."


def _subscriber() -> Principal:
    """The signed-in subscriber, from the verified token's claims; raises Unauthenticated."""
    event = app.current_event
    identity = event.get("identity") if event is not None else None
    claims = identity.get("claims") if isinstance(identity, dict) else None
    if not isinstance(claims, dict):
        raise Unauthenticated(_NO_SUBSCRIBER)
    return get_verifier().principal_of_claims(claims)


def _entity(arguments: dict[str, Any], name: str) -> str:
    value = arguments.get(name)
    return value if isinstance(value, str) else ""


@app.resolver(type_name="Subscription", field_name=WATCH_GROUP_ACTIVITY.field)
def watch_group_activity(**arguments: Any) -> dict[str, Any]:
    """Staff, the group's captains and its approved members (NOT_FOUND outside the caller's
    organisation). A member's subscription ends when they leave or are removed, a captain's when they
    are replaced; staff are staff by their token."""
    principal = _subscriber()
    group_id = _entity(arguments, WATCH_GROUP_ACTIVITY.argument)
    watch_access.require_follower(principal, group_id)
    if principal.is_staff:
        return _accepted(None)
    names = {
        MEMBER_KEY: [
            m.id
            for m in my_memberships(principal)
            if m.group_id == group_id and m.status == MemberStatus.ACTIVE
        ],
        CAPTAIN_KEY: [principal.sub] if principal.has_any_role(Role.CAPTAIN) else [],
    }
    return _accepted(invalidation_filter(principal.org_id, group_id, names))


@app.resolver(type_name="Subscription", field_name=INCIDENT_TIMELINE.field)
def incident_timeline(**arguments: Any) -> dict[str, Any]:
    """The incident's reporter and staff (NOT_FOUND outside the caller's organisation); the reporter
    relation never ends (staff are staff by their token), so nothing in the incident ends it."""
    incident_access.require_follower(_subscriber(), _entity(arguments, INCIDENT_TIMELINE.argument))
    return _accepted(None)


def _accepted(invalidation: dict[str, Any] | None) -> dict[str, Any]:
    return {"allowed": True, "invalidation": invalidation}


@app.exception_handler(ArgusError)
def _refused(error: ArgusError) -> dict[str, Any]:
    logger.info("live subscription refused", extra={"code": error.code})
    return {"allowed": False, "code": error.code, "message": error.message, "details": error.details}


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    decision: dict[str, Any] = app.resolve(event, context)
    return decision
