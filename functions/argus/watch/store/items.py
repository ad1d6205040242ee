"""pynamodb items of the watch domain (one discriminator value each)."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from argus.platform.models import ArgusItem


class GroupItem(ArgusItem, discriminator="watch-group"):
    group_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute()
    boundary = UnicodeAttribute()  # GeoJSON geometry as JSON text
    area_km2 = NumberAttribute()
    status = UnicodeAttribute()
    proposed_by = UnicodeAttribute()
    first_meeting_held = BooleanAttribute(default=False)
    survey_responses = NumberAttribute(default=0)
    survey_interested = NumberAttribute(default=0)
    survey_captains = NumberAttribute(default=0)
    blocks = NumberAttribute(default=0)
    captains = NumberAttribute(default=0)
    households = NumberAttribute(default=0)
    members = NumberAttribute(default=0)
    pending = NumberAttribute(default=0)
    joined_total = NumberAttribute(default=0)
    left_total = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute()


class StatusChangeItem(ArgusItem, discriminator="watch-status-change"):
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute()
    by = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    reason = UnicodeAttribute()


class SurveyItem(ArgusItem, discriminator="watch-survey"):
    interested = BooleanAttribute()
    willing_to_captain = BooleanAttribute()
    answered_at = UTCDateTimeAttribute()


class BlockItem(ArgusItem, discriminator="watch-block"):
    block_id = UnicodeAttribute()
    group_id = UnicodeAttribute()
    name = UnicodeAttribute()
    area = UnicodeAttribute()
    captain_sub = UnicodeAttribute(null=True)
    households = NumberAttribute(default=0)
    members = NumberAttribute(default=0)
    pending = NumberAttribute(default=0)


class ZoneItem(ArgusItem, discriminator="watch-zone"):
    zone_id = UnicodeAttribute()
    group_id = UnicodeAttribute()
    name = UnicodeAttribute()
    area = UnicodeAttribute()


class MemberItem(ArgusItem, discriminator="watch-member"):
    member_id = UnicodeAttribute()
    group_id = UnicodeAttribute()
    block_id = UnicodeAttribute()
    household_id = UnicodeAttribute()
    sub = UnicodeAttribute(null=True)
    display_name = UnicodeAttribute()
    status = UnicodeAttribute()
    channels = UnicodeAttribute()  # JSON list of ContactPreference
    joined_at = UTCDateTimeAttribute()
    approved_by = UnicodeAttribute(null=True)
    approved_at = UTCDateTimeAttribute(null=True)


class HouseholdItem(ArgusItem, discriminator="watch-household"):
    household_id = UnicodeAttribute()
    group_id = UnicodeAttribute()
    block_id = UnicodeAttribute()
    address = UnicodeAttribute(null=True)  # JSON of Address; null once erased
    members = NumberAttribute(default=0)


class MembershipItem(ArgusItem, discriminator="watch-membership"):
    """In the person's user partition: which group they belong to (one per group), and the member's
    status, kept equal to the member item's in the same transactions (pending until approved)."""

    group_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    block_id = UnicodeAttribute()
    status = UnicodeAttribute(null=True)  # absent on items written before it was kept here


class AssignmentItem(ArgusItem, discriminator="watch-assignment"):
    captain_sub = UnicodeAttribute()
    group_id = UnicodeAttribute()
    block_id = UnicodeAttribute()
    block_name = UnicodeAttribute()
    assigned_at = UTCDateTimeAttribute()


class FiguresItem(ArgusItem, discriminator="watch-captain-figures"):
    captain_sub = UnicodeAttribute()
    households = NumberAttribute(default=0)
    members = NumberAttribute(default=0)
    pending = NumberAttribute(default=0)
    activities = NumberAttribute(default=0)
    hours = NumberAttribute(default=0)
    members_added = NumberAttribute(default=0)
    approvals = NumberAttribute(default=0)
    approval_hours_total = NumberAttribute(default=0)


class TaskItem(ArgusItem, discriminator="watch-task"):
    task_id = UnicodeAttribute()
    captain_sub = UnicodeAttribute()
    group_id = UnicodeAttribute()
    block_id = UnicodeAttribute(null=True)
    task_kind = UnicodeAttribute()
    title = UnicodeAttribute()
    member_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()


class MentorItem(ArgusItem, discriminator="watch-mentor"):
    mentor_sub = UnicodeAttribute()
    mentee_sub = UnicodeAttribute()
    group_id = UnicodeAttribute()
    since = UTCDateTimeAttribute()


class ActivityItem(ArgusItem, discriminator="watch-activity"):
    activity_id = UnicodeAttribute()
    captain_sub = UnicodeAttribute()
    group_id = UnicodeAttribute()
    block_id = UnicodeAttribute(null=True)
    activity_kind = UnicodeAttribute()
    hours = NumberAttribute()
    occurred_on = UnicodeAttribute()  # ISO date
    note = UnicodeAttribute(null=True)
    logged_at = UTCDateTimeAttribute()


class CellItem(ArgusItem, discriminator="geo-cell"):
    """Geo index: an area (group or block) that touches one H3 cell."""

    area_kind = UnicodeAttribute()
    group_id = UnicodeAttribute()
    area_id = UnicodeAttribute()
    interior = BooleanAttribute()
    area = UnicodeAttribute(null=True)  # the geometry, on boundary cells only (to confirm a point)


class AreaCellsItem(ArgusItem, discriminator="geo-area-cells"):
    """The cells an area is indexed under, so that re-indexing removes stale ones."""

    cells = UnicodeAttribute()  # JSON list
    version = NumberAttribute()
