"""CloudEvents of the watch domain (schemas and samples in events/). Events carry ids, statuses and
counts — never names, addresses or contact details: they are archived and audited."""

from __future__ import annotations

from typing import Any

from argus.platform.cloudevents import CloudEvent, make_event

GROUP_PROPOSED = "org.argus.watch.group.proposed.v1"
GROUP_STATUS_CHANGED = "org.argus.watch.group.status-changed.v1"
GROUP_MEETING_HELD = "org.argus.watch.group.first-meeting-held.v1"
BLOCK_ADDED = "org.argus.watch.block.added.v1"
ZONE_ADDED = "org.argus.watch.zone.added.v1"
CAPTAIN_ASSIGNED = "org.argus.watch.captain.assigned.v1"
MEMBER_ENROLLED = "org.argus.watch.member.enrolled.v1"
MEMBER_APPROVED = "org.argus.watch.member.approved.v1"
MEMBER_LEFT = "org.argus.watch.member.left.v1"
ACTIVITY_LOGGED = "org.argus.watch.activity.logged.v1"

ALL_TYPES = (
    GROUP_PROPOSED,
    GROUP_STATUS_CHANGED,
    GROUP_MEETING_HELD,
    BLOCK_ADDED,
    ZONE_ADDED,
    CAPTAIN_ASSIGNED,
    MEMBER_ENROLLED,
    MEMBER_APPROVED,
    MEMBER_LEFT,
    ACTIVITY_LOGGED,
)
# Delivered live to subscribers of the group (enrolments, captain activities, status changes, …).
LIVE_TYPES = ALL_TYPES
# Events whose areas the geo index must (re)build.
AREA_TYPES = (GROUP_PROPOSED, BLOCK_ADDED, ZONE_ADDED)


def member_event(event_type: str, *, org_id: str, member: Any, actor: str, **data: Any) -> CloudEvent:
    """A watch event about one member (``member`` is a watch Member): ids only, never personal data."""
    return watch_event(
        event_type,
        org_id=org_id,
        group_id=member.group_id,
        actor=actor,
        memberId=member.id,
        blockId=member.block_id,
        **data,
    )


def watch_event(event_type: str, *, org_id: str, group_id: str, actor: str, **data: Any) -> CloudEvent:
    """A watch event about ``group_id`` (its subject), with the acting subject and the given data."""
    return make_event(
        event_type,
        org_id=org_id,
        collection="watch-groups",
        subject=group_id,
        data={"groupId": group_id, "actor": actor, **data},
    )
