"""Members, households and memberships: the personal data of the watch domain."""

from __future__ import annotations

import json
from typing import Any

from argus.platform import keys as core_keys
from argus.platform.errors import Conflict, NotFound
from argus.platform.keys import watch as keys
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page, decode_cursor, encode_cursor
from argus.watch.model import Address, ContactPreference, Household, Member, MemberStatus
from argus.watch.store.items import HouseholdItem, MemberItem, MembershipItem


def member_from_item(item: MemberItem) -> Member:
    return Member(
        id=item.member_id,
        group_id=item.group_id,
        block_id=item.block_id,
        household_id=item.household_id,
        sub=item.sub,
        display_name=item.display_name,
        status=MemberStatus(item.status),
        channels=tuple(ContactPreference.model_validate(c) for c in json.loads(item.channels)),
        joined_at=item.joined_at,
        approved_by=item.approved_by,
        approved_at=item.approved_at,
    )


def household_from_item(item: HouseholdItem) -> Household:
    return Household(
        id=item.household_id,
        group_id=item.group_id,
        block_id=item.block_id,
        address=Address.model_validate_json(item.address) if item.address else None,
        members=int(item.members),
    )


def _member_item(org_id: str, member: Member) -> MemberItem:
    return MemberItem(
        PK=keys.group_pk(org_id, member.group_id),
        SK=keys.member_sk(member.block_id, member.id),
        member_id=member.id,
        group_id=member.group_id,
        block_id=member.block_id,
        household_id=member.household_id,
        sub=member.sub,
        display_name=member.display_name,
        status=member.status.value,
        channels=json.dumps([c.model_dump(mode="json") for c in member.channels]),
        joined_at=member.joined_at,
        approved_by=member.approved_by,
        approved_at=member.approved_at,
    )


def add_member(uow: UnitOfWork, org_id: str, member: Member) -> None:
    """The member and, when they have an account, their membership (one per person and group)."""
    uow.put(_member_item(org_id, member), condition=MemberItem.PK.does_not_exist())
    if member.sub is not None:
        uow.put(
            MembershipItem(
                PK=core_keys.user_pk(org_id, member.sub),
                SK=keys.membership_sk(member.group_id),
                group_id=member.group_id,
                member_id=member.id,
                block_id=member.block_id,
                status=member.status.value,
            ),
            condition=MembershipItem.PK.does_not_exist(),
            on_condition_failed=Conflict(
                "This person is already enrolled in the group.", details={"field": "groupId"}
            ),
        )


def replace_member(uow: UnitOfWork, org_id: str, before: Member, after: Member) -> None:
    """Write ``after`` if the member's status is still the one that was read; a new status of a member
    with an account goes to their membership in the same transaction (access is decided there)."""
    uow.put(
        _member_item(org_id, after),
        condition=MemberItem.status == before.status.value,
        on_condition_failed=Conflict("The member was changed by someone else; reload and retry."),
    )
    if after.sub is not None and after.status != before.status and after.status != MemberStatus.LEFT:
        uow.update(
            MembershipItem(PK=core_keys.user_pk(org_id, after.sub), SK=keys.membership_sk(after.group_id)),
            [MembershipItem.status.set(after.status.value)],
            condition=MembershipItem.PK.exists(),
            on_condition_failed=Conflict("The membership was changed by someone else; reload and retry."),
        )


def remove_membership(uow: UnitOfWork, org_id: str, sub: str, group_id: str) -> None:
    uow.delete(MembershipItem(PK=core_keys.user_pk(org_id, sub), SK=keys.membership_sk(group_id)))


def get_member(org_id: str, group_id: str, block_id: str, member_id: str) -> Member | None:
    try:
        item = MemberItem.get(keys.group_pk(org_id, group_id), keys.member_sk(block_id, member_id))
    except MemberItem.DoesNotExist:
        return None
    return member_from_item(item)


def membership_of(org_id: str, sub: str, group_id: str) -> MembershipItem | None:
    try:
        return MembershipItem.get(core_keys.user_pk(org_id, sub), keys.membership_sk(group_id))
    except MembershipItem.DoesNotExist:
        return None


def memberships(org_id: str, sub: str) -> list[MembershipItem]:
    """Every membership of the person, whatever its status (one strongly consistent query over their
    user partition: access is decided on it, and a membership that just ended must be seen as ended)."""
    return list(
        MembershipItem.query(
            core_keys.user_pk(org_id, sub),
            MembershipItem.SK.startswith(keys.MEMBERSHIP_PREFIX),
            consistent_read=True,
        )
    )


def membership_status(org_id: str, item: MembershipItem) -> MemberStatus | None:
    """The status of the member a membership points at (None when the member is gone). Memberships
    written before they carried the status read it from the member item."""
    if item.status is not None:
        return MemberStatus(item.status)
    member = get_member(org_id, item.group_id, item.block_id, item.member_id)
    return member.status if member is not None else None


def active_group_ids(org_id: str, sub: str) -> frozenset[str]:
    """The groups whose approved (active) member the person is: pending enrolments do not count."""
    return frozenset(
        m.group_id for m in memberships(org_id, sub) if membership_status(org_id, m) == MemberStatus.ACTIVE
    )


def roster_page(
    org_id: str, group_id: str, block_id: str, first: int, start: dict | None
) -> tuple[list[Member], dict | None]:
    """One query: a page of one block's roster (members in id order)."""
    results = MemberItem.query(
        keys.group_pk(org_id, group_id),
        MemberItem.SK.startswith(keys.block_roster_prefix(block_id)),
        limit=first,
        last_evaluated_key=start,
    )
    members = [member_from_item(i) for i in results]
    return members, results.last_evaluated_key


def pending_in_block(org_id: str, group_id: str, block_id: str) -> list[Member]:
    """The block's enrolments waiting for approval (one query over the block's roster)."""
    results = MemberItem.query(
        keys.group_pk(org_id, group_id),
        MemberItem.SK.startswith(keys.block_roster_prefix(block_id)),
        filter_condition=MemberItem.status == MemberStatus.PENDING.value,
    )
    return [member_from_item(i) for i in results]


def block_roster(org_id: str, group_id: str, block_id: str, first: int, after: str | None) -> Page[Member]:
    pk = keys.group_pk(org_id, group_id)
    start = decode_cursor(after, partition_attr="PK", partition_value=pk)
    members, last = roster_page(org_id, group_id, block_id, first, start)
    cursor = encode_cursor(last)
    return Page(members, cursor, cursor is not None)


def add_household(uow: UnitOfWork, org_id: str, household: Household) -> None:
    uow.put(
        HouseholdItem(
            PK=keys.group_pk(org_id, household.group_id),
            SK=keys.household_sk(household.block_id, household.id),
            household_id=household.id,
            group_id=household.group_id,
            block_id=household.block_id,
            address=household.address.model_dump_json() if household.address else None,
            members=household.members,
        ),
        condition=HouseholdItem.PK.does_not_exist(),
    )


def get_household(org_id: str, group_id: str, block_id: str, household_id: str) -> Household | None:
    try:
        item = HouseholdItem.get(keys.group_pk(org_id, group_id), keys.household_sk(block_id, household_id))
    except HouseholdItem.DoesNotExist:
        return None
    return household_from_item(item)


def require_household(org_id: str, group_id: str, block_id: str, household_id: str) -> Household:
    household = get_household(org_id, group_id, block_id, household_id)
    if household is None:
        raise NotFound("No such household in this block.", details={"field": "householdId"})
    return household


def join_household(uow: UnitOfWork, org_id: str, household: Household) -> None:
    uow.update(
        HouseholdItem(
            PK=keys.group_pk(org_id, household.group_id),
            SK=keys.household_sk(household.block_id, household.id),
        ),
        [HouseholdItem.members.add(1)],
        condition=HouseholdItem.PK.exists(),
    )


def leave_household(uow: UnitOfWork, org_id: str, household: Household) -> bool:
    """One member fewer; the last one out erases the address (GDPR), keeping the count.
    Returns True when the household is now empty."""
    last = household.members <= 1
    actions: list[Any] = [HouseholdItem.members.add(-1)]
    if last:
        actions.append(HouseholdItem.address.remove())
    uow.update(
        HouseholdItem(
            PK=keys.group_pk(org_id, household.group_id),
            SK=keys.household_sk(household.block_id, household.id),
        ),
        actions,
        condition=HouseholdItem.members == household.members,
        on_condition_failed=Conflict("The household changed meanwhile; try again."),
    )
    return last
