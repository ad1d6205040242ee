"""Watch groups, their status history, survey, blocks and patrol zones."""

from __future__ import annotations

import json
from typing import Any

from argus.platform import clock
from argus.platform.errors import Conflict, NotFound
from argus.platform.keys import watch as keys
from argus.platform.models import ArgusItem
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page, decode_cursor, encode_cursor
from argus.watch.model import (
    MIN_MEMBERS_FOR_FORMATION,
    Block,
    GroupCounts,
    GroupStatus,
    PatrolZone,
    StatusChange,
    Survey,
    WatchGroup,
)
from argus.watch.store.items import BlockItem, GroupItem, StatusChangeItem, SurveyItem, ZoneItem


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"))


def group_from_item(item: GroupItem) -> WatchGroup:
    return WatchGroup(
        id=item.group_id,
        org_id=item.org_id,
        name=item.name,
        description=item.description,
        boundary=json.loads(item.boundary),
        area_km2=float(item.area_km2),
        status=GroupStatus(item.status),
        proposed_by=item.proposed_by,
        first_meeting_held=bool(item.first_meeting_held),
        survey=Survey(
            responses=int(item.survey_responses),
            interested=int(item.survey_interested),
            willing_to_captain=int(item.survey_captains),
        ),
        counts=GroupCounts(
            blocks=int(item.blocks),
            captains=int(item.captains),
            households=int(item.households),
            members=int(item.members),
            pending=int(item.pending),
            joined_total=int(item.joined_total),
            left_total=int(item.left_total),
        ),
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version),
    )


def block_from_item(item: BlockItem) -> Block:
    return Block(
        id=item.block_id,
        group_id=item.group_id,
        name=item.name,
        area=json.loads(item.area),
        captain_sub=item.captain_sub,
        households=int(item.households),
        members=int(item.members),
        pending=int(item.pending or 0),
    )


def zone_from_item(item: ZoneItem) -> PatrolZone:
    return PatrolZone(id=item.zone_id, group_id=item.group_id, name=item.name, area=json.loads(item.area))


def _group_key(org_id: str, group_id: str) -> tuple[str, str]:
    return keys.group_pk(org_id, group_id), keys.GROUP_SK


def _status_item(org_id: str, group_id: str, change: StatusChange, change_id: str) -> StatusChangeItem:
    return StatusChangeItem(
        PK=keys.group_pk(org_id, group_id),
        SK=keys.status_change_sk(clock.iso(change.at), change_id),
        from_status=change.from_status.value if change.from_status else None,
        to_status=change.to_status.value,
        by=change.by,
        at=change.at,
        reason=change.reason,
    )


def add_group(uow: UnitOfWork, group: WatchGroup, first_change: StatusChange, change_id: str) -> None:
    pk, sk = _group_key(group.org_id, group.id)
    uow.put(
        GroupItem(
            PK=pk,
            SK=sk,
            GSI1PK=keys.groups_index_pk(group.org_id),
            GSI1SK=group.id,
            group_id=group.id,
            org_id=group.org_id,
            name=group.name,
            description=group.description,
            boundary=_json(group.boundary),
            area_km2=group.area_km2,
            status=group.status.value,
            proposed_by=group.proposed_by,
            first_meeting_held=False,
            created_at=group.created_at,
            updated_at=group.updated_at,
            version=group.version,
        ),
        condition=GroupItem.PK.does_not_exist(),
    )
    uow.put(_status_item(group.org_id, group.id, first_change, change_id))


def get_group(org_id: str, group_id: str) -> WatchGroup | None:
    try:
        return group_from_item(GroupItem.get(*_group_key(org_id, group_id)))
    except GroupItem.DoesNotExist:
        return None


def require_group(org_id: str, group_id: str) -> WatchGroup:
    group = get_group(org_id, group_id)
    if group is None:
        raise NotFound("No such watch group.", details={"field": "groupId"})
    return group


def get_groups(org_id: str, group_ids: list[str]) -> dict[str, WatchGroup]:
    wanted = [_group_key(org_id, g) for g in dict.fromkeys(group_ids)]
    return {i.group_id: group_from_item(i) for i in GroupItem.batch_get(wanted)}


def list_groups(org_id: str, first: int, after: str | None) -> Page[WatchGroup]:
    pk = keys.groups_index_pk(org_id)
    start = decode_cursor(after, partition_attr="GSI1PK", partition_value=pk)
    results = ArgusItem.gsi1.query(pk, limit=first, last_evaluated_key=start)
    items = [group_from_item(i) for i in results if isinstance(i, GroupItem)]
    cursor = encode_cursor(results.last_evaluated_key)
    return Page(items, cursor, cursor is not None)


def boundaries(org_id: str) -> list[dict[str, Any]]:
    """The boundary of every group of the organisation but closed ones (GeoJSON), every page read."""
    found: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        page = list_groups(org_id, 100, after)
        found += [g.boundary for g in page.items if g.status is not GroupStatus.CLOSED]
        if not page.has_next_page:
            return found
        after = page.end_cursor


def change_status(
    uow: UnitOfWork, group: WatchGroup, change: StatusChange, change_id: str, *, require_ready: bool = False
) -> None:
    """Move the group to ``change.to_status`` if nobody else changed it since it was read. With
    ``require_ready`` the formation checklist is checked again by the write itself (counters change
    without a new version)."""
    pk, sk = _group_key(group.org_id, group.id)
    condition = (GroupItem.version == group.version) & (GroupItem.status == group.status.value)
    if require_ready:
        condition = (
            condition
            & (GroupItem.members >= MIN_MEMBERS_FOR_FORMATION)
            & (GroupItem.captains > 0)
            & (GroupItem.first_meeting_held == True)  # noqa: E712 - a pynamodb condition, not a comparison
        )
    uow.update(
        GroupItem(PK=pk, SK=sk),
        [
            GroupItem.status.set(change.to_status.value),
            GroupItem.updated_at.set(change.at),
            GroupItem.version.add(1),
        ],
        condition=condition,
        on_condition_failed=Conflict("The group was changed by someone else; reload and retry."),
    )
    uow.put(_status_item(group.org_id, group.id, change, change_id))


def status_history(org_id: str, group_id: str) -> list[StatusChange]:
    results = StatusChangeItem.query(
        keys.group_pk(org_id, group_id), StatusChangeItem.SK.startswith(keys.STATUS_CHANGE_PREFIX)
    )
    return [
        StatusChange(
            from_status=GroupStatus(i.from_status) if i.from_status else None,
            to_status=GroupStatus(i.to_status),
            by=i.by,
            at=i.at,
            reason=i.reason,
        )
        for i in results
    ]


def set_first_meeting_held(uow: UnitOfWork, group: WatchGroup) -> None:
    pk, sk = _group_key(group.org_id, group.id)
    uow.update(
        GroupItem(PK=pk, SK=sk),
        [
            GroupItem.first_meeting_held.set(True),
            GroupItem.updated_at.set(clock.now()),
            GroupItem.version.add(1),
        ],
        condition=GroupItem.PK.exists(),
    )


def add_survey_response(
    uow: UnitOfWork, group: WatchGroup, sub: str, interested: bool, captain: bool
) -> None:
    pk, sk = _group_key(group.org_id, group.id)
    uow.put(
        SurveyItem(
            PK=pk,
            SK=keys.survey_sk(sub),
            interested=interested,
            willing_to_captain=captain,
            answered_at=clock.now(),
        ),
        condition=SurveyItem.PK.does_not_exist(),
        on_condition_failed=Conflict("You have already answered this group's survey."),
    )
    uow.update(
        GroupItem(PK=pk, SK=sk),
        [
            GroupItem.survey_responses.add(1),
            GroupItem.survey_interested.add(1 if interested else 0),
            GroupItem.survey_captains.add(1 if captain else 0),
        ],
        condition=GroupItem.PK.exists(),
    )


def bump_group(
    uow: UnitOfWork, org_id: str, group_id: str, deltas: dict[str, int], *, closed_check: bool = False
) -> None:
    """Atomically add to the group's counters; with ``closed_check`` the write fails on a closed group."""
    pk, sk = _group_key(org_id, group_id)
    condition = GroupItem.PK.exists()
    if closed_check:
        condition = condition & (GroupItem.status != GroupStatus.CLOSED.value)
    uow.update(
        GroupItem(PK=pk, SK=sk),
        [getattr(GroupItem, name).add(delta) for name, delta in deltas.items()],
        condition=condition,
        on_condition_failed=Conflict("The group is closed.") if closed_check else None,
    )


def add_block(uow: UnitOfWork, org_id: str, block: Block) -> None:
    uow.put(
        BlockItem(
            PK=keys.group_pk(org_id, block.group_id),
            SK=keys.block_sk(block.id),
            block_id=block.id,
            group_id=block.group_id,
            name=block.name,
            area=_json(block.area),
            captain_sub=None,
        ),
        condition=BlockItem.PK.does_not_exist(),
    )
    bump_group(uow, org_id, block.group_id, {"blocks": 1})


def get_block(org_id: str, group_id: str, block_id: str) -> Block | None:
    try:
        return block_from_item(BlockItem.get(keys.group_pk(org_id, group_id), keys.block_sk(block_id)))
    except BlockItem.DoesNotExist:
        return None


def require_block(org_id: str, group_id: str, block_id: str) -> Block:
    block = get_block(org_id, group_id, block_id)
    if block is None:
        raise NotFound("No such block in this group.", details={"field": "blockId"})
    return block


def list_blocks(org_id: str, group_id: str) -> list[Block]:
    results = BlockItem.query(keys.group_pk(org_id, group_id), BlockItem.SK.startswith(keys.BLOCK_PREFIX))
    return [block_from_item(i) for i in results]


def bump_block(uow: UnitOfWork, org_id: str, group_id: str, block_id: str, **deltas: int) -> None:
    uow.update(
        BlockItem(PK=keys.group_pk(org_id, group_id), SK=keys.block_sk(block_id)),
        [getattr(BlockItem, name).add(delta) for name, delta in deltas.items()],
        condition=BlockItem.PK.exists(),
    )


def set_block_captain(uow: UnitOfWork, org_id: str, block: Block, captain_sub: str) -> None:
    """Assign ``captain_sub`` if the block's captain is still the one that was read."""
    previous = (
        BlockItem.captain_sub.does_not_exist()
        if block.captain_sub is None
        else (BlockItem.captain_sub == block.captain_sub)
    )
    uow.update(
        BlockItem(PK=keys.group_pk(org_id, block.group_id), SK=keys.block_sk(block.id)),
        [BlockItem.captain_sub.set(captain_sub)],
        condition=BlockItem.PK.exists() & previous,
        on_condition_failed=Conflict("The block's captain was changed by someone else; reload and retry."),
    )


def add_zone(uow: UnitOfWork, org_id: str, zone: PatrolZone) -> None:
    uow.put(
        ZoneItem(
            PK=keys.group_pk(org_id, zone.group_id),
            SK=keys.zone_sk(zone.id),
            zone_id=zone.id,
            group_id=zone.group_id,
            name=zone.name,
            area=_json(zone.area),
        ),
        condition=ZoneItem.PK.does_not_exist(),
    )


def list_zones(org_id: str, group_id: str) -> list[PatrolZone]:
    results = ZoneItem.query(keys.group_pk(org_id, group_id), ZoneItem.SK.startswith(keys.ZONE_PREFIX))
    return [zone_from_item(i) for i in results]
