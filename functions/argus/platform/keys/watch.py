"""Key builders of the watch domain (watch groups, blocks, zones, members, households, captains).

A watch group's partition holds the group and everything that belongs to it, sorted so that one
query reads one block's roster. A captain's partition holds what their hub needs in one query;
their activity log has a partition of its own, newest first."""

from __future__ import annotations

from argus.platform.tenancy import tenant_prefix

GROUP_SK = "GROUP"


def group_pk(org_id: str, group_id: str) -> str:
    return tenant_prefix(org_id) + f"GROUP#{group_id}"


def groups_index_pk(org_id: str) -> str:
    """GSI1 partition listing every group of an organisation (in creation order)."""
    return tenant_prefix(org_id) + "GROUPS"


def status_change_sk(time_iso: str, change_id: str) -> str:
    return f"STATUS#{time_iso}#{change_id}"


STATUS_CHANGE_PREFIX = "STATUS#"


def survey_sk(sub: str) -> str:
    return f"SURVEY#{sub}"


def block_sk(block_id: str) -> str:
    return f"BLOCK#{block_id}"


BLOCK_PREFIX = "BLOCK#"


def zone_sk(zone_id: str) -> str:
    return f"ZONE#{zone_id}"


ZONE_PREFIX = "ZONE#"


def member_sk(block_id: str, member_id: str) -> str:
    return f"MEMBER#{block_id}#{member_id}"


def block_roster_prefix(block_id: str) -> str:
    return f"MEMBER#{block_id}#"


def household_sk(block_id: str, household_id: str) -> str:
    return f"HOUSEHOLD#{block_id}#{household_id}"


def membership_sk(group_id: str) -> str:
    """In the person's user partition: their membership of one group (also the duplicate guard)."""
    return f"MEMBERSHIP#{group_id}"


MEMBERSHIP_PREFIX = "MEMBERSHIP#"


def captain_pk(org_id: str, sub: str) -> str:
    return tenant_prefix(org_id) + f"CAPTAIN#{sub}"


def assignment_sk(group_id: str, block_id: str) -> str:
    return f"ASSIGNMENT#{group_id}#{block_id}"


ASSIGNMENT_PREFIX = "ASSIGNMENT#"
FIGURES_SK = "FIGURES"


def task_sk(task_id: str) -> str:
    return f"TASK#{task_id}"


TASK_PREFIX = "TASK#"


def mentor_sk(role: str, other_sub: str) -> str:
    """``role`` is "MENTOR" (the other is my mentor) or "MENTEE" (the other is my mentee)."""
    return f"{role}#{other_sub}"


def activity_pk(org_id: str, captain_sub: str) -> str:
    return tenant_prefix(org_id) + f"CAPTAIN#{captain_sub}#ACTIVITY"


def activity_sk(time_iso: str, activity_id: str) -> str:
    return f"{time_iso}#{activity_id}"


def group_activity_index_pk(org_id: str, group_id: str) -> str:
    """GSI1 partition: a group's activity feed across captains, newest first."""
    return tenant_prefix(org_id) + f"GROUP#{group_id}#ACTIVITY"


def cell_pk(org_id: str, cell: str) -> str:
    """The geo index: one partition per H3 cell, listing the areas that touch it."""
    return tenant_prefix(org_id) + f"H3#{cell}"


def cell_sk(kind: str, group_id: str, area_id: str) -> str:
    return f"{kind}#{group_id}#{area_id}"


def area_cells_pk(org_id: str, kind: str, area_id: str) -> str:
    """Which cells an area was indexed under (so a re-index can remove stale cells)."""
    return tenant_prefix(org_id) + f"AREACELLS#{kind}#{area_id}"
