"""Formation and lifecycle of watch groups, their survey, blocks and patrol zones."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from argus.platform import clock
from argus.platform.auth.principal import Principal, Role
from argus.platform.errors import BadUserInput
from argus.platform.ids import new_id
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page, page_size
from argus.platform.validation import DomainModel, validated
from argus.watch import events
from argus.watch.model import (
    TRANSITIONS,
    Block,
    Description,
    GroupCounts,
    GroupStatus,
    Name,
    PatrolZone,
    Reason,
    StatusChange,
    Survey,
    WatchGroup,
)
from argus.watch.service.access import require_group_details, require_manager, require_participant
from argus.watch.store import groups as store

# A watch group is a neighbourhood, not a county.
MAX_GROUP_AREA_KM2 = 25.0


class GroupProposal(DomainModel):
    name: Name
    description: Description = ""
    boundary: dict[str, Any]
    fix_orientation: bool = False


class AreaInput(DomainModel):
    group_id: str = Field(min_length=1, max_length=64)
    name: Name
    area: dict[str, Any]
    fix_orientation: bool = False


class StatusInput(DomainModel):
    group_id: str = Field(min_length=1, max_length=64)
    status: GroupStatus
    reason: Reason


def propose_group(principal: Principal, proposal_input: dict[str, Any]) -> WatchGroup:
    """Any resident may propose a group for their neighbourhood (not analysts, nor partner systems:
    Forbidden). Raises BadUserInput for a bad boundary."""
    from argus.geo import parse_area

    require_participant(principal)
    proposal = validated(GroupProposal, proposal_input)
    area = parse_area(
        proposal.boundary, fix_orientation=proposal.fix_orientation, max_area_m2=MAX_GROUP_AREA_KM2 * 1e6
    )
    area_km2 = area.area_m2 / 1e6
    moment = clock.now()
    group = WatchGroup(
        id=new_id(),
        org_id=principal.org_id,
        name=proposal.name,
        description=proposal.description,
        boundary=area.geojson,
        area_km2=round(area_km2, 4),
        status=GroupStatus.PROPOSED,
        proposed_by=principal.sub,
        first_meeting_held=False,
        survey=Survey(),
        counts=GroupCounts(),
        created_at=moment,
        updated_at=moment,
        version=1,
    )
    change = StatusChange(
        from_status=None,
        to_status=GroupStatus.PROPOSED,
        by=principal.sub,
        at=moment,
        reason="Proposed by a resident",
    )
    uow = UnitOfWork()
    store.add_group(uow, group, change, new_id())
    uow.emit(
        events.watch_event(
            events.GROUP_PROPOSED,
            org_id=group.org_id,
            group_id=group.id,
            actor=principal.sub,
            status=group.status.value,
            areaKm2=group.area_km2,
        )
    )
    uow.commit()
    return group


def change_status(principal: Principal, status_input: dict[str, Any]) -> WatchGroup:
    """Move a group through its lifecycle (officers and coordinators). Activation needs a ready
    formation checklist. Raises BadUserInput for a move the lifecycle does not allow."""
    require_manager(principal)
    request = validated(StatusInput, status_input)
    group = store.require_group(principal.org_id, request.group_id)
    if request.status not in TRANSITIONS[group.status]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[group.status])) or "none (closed is final)"
        raise BadUserInput(
            f"A {group.status.value} group cannot become {request.status.value}; allowed: {allowed}.",
            details={"field": "status", "reason": "transition_not_allowed"},
        )
    if (
        request.status == GroupStatus.ACTIVE
        and group.status == GroupStatus.REGISTERED
        and not group.checklist.ready
    ):
        missing = [k for k, v in group.checklist.model_dump().items() if not v]
        raise BadUserInput(
            "The formation checklist is not complete: " + ", ".join(missing) + ".",
            details={"field": "status", "reason": "checklist_incomplete", "missing": missing},
        )
    change = StatusChange(
        from_status=group.status,
        to_status=request.status,
        by=principal.sub,
        at=clock.now(),
        reason=request.reason,
    )
    uow = UnitOfWork()
    activating = request.status == GroupStatus.ACTIVE and group.status == GroupStatus.REGISTERED
    store.change_status(uow, group, change, new_id(), require_ready=activating)
    uow.emit(
        events.watch_event(
            events.GROUP_STATUS_CHANGED,
            org_id=group.org_id,
            group_id=group.id,
            actor=principal.sub,
            fromStatus=group.status.value,
            toStatus=request.status.value,
        )
    )
    uow.commit()
    return group.model_copy(
        update={"status": request.status, "updated_at": change.at, "version": group.version + 1}
    )


def record_first_meeting(principal: Principal, group_id: str) -> WatchGroup:
    """Tick "first meeting held" on the formation checklist (officers, coordinators, the group's captains)."""
    group = store.require_group(principal.org_id, group_id)
    is_captain = principal.has_any_role(Role.CAPTAIN) and any(
        b.captain_sub == principal.sub for b in store.list_blocks(principal.org_id, group_id)
    )
    if not is_captain:
        require_manager(principal)
    if group.first_meeting_held:
        return group
    uow = UnitOfWork()
    store.set_first_meeting_held(uow, group)
    uow.emit(
        events.watch_event(
            events.GROUP_MEETING_HELD, org_id=group.org_id, group_id=group.id, actor=principal.sub
        )
    )
    uow.commit()
    return store.require_group(principal.org_id, group_id)


def answer_survey(
    principal: Principal, group_id: str, interested: bool, willing_to_captain: bool
) -> WatchGroup:
    """One answer per person to a proposed or registered group's interest survey (not analysts, nor
    partner systems: Forbidden)."""
    require_participant(principal)
    group = store.require_group(principal.org_id, group_id)
    if group.status not in (GroupStatus.PROPOSED, GroupStatus.REGISTERED):
        raise BadUserInput(
            "The interest survey is open only while a group is forming.",
            details={"field": "groupId", "reason": "survey_closed"},
        )
    uow = UnitOfWork()
    store.add_survey_response(uow, group, principal.sub, interested, willing_to_captain)
    uow.commit()
    return store.require_group(principal.org_id, group_id)


def list_groups(principal: Principal, first: int | None, after: str | None) -> Page[WatchGroup]:
    """Every group of the organisation (public information for residents; details per relation)."""
    return store.list_groups(principal.org_id, page_size(first), after)


def get_group(principal: Principal, group_id: str) -> WatchGroup:
    return store.require_group(principal.org_id, group_id)


def status_history(principal: Principal, group_id: str) -> list[StatusChange]:
    """The group's lifecycle, oldest first: staff, its captains and approved members (else Forbidden)."""
    store.require_group(principal.org_id, group_id)
    require_group_details(principal, group_id)
    return store.status_history(principal.org_id, group_id)


def _checked_area(group: WatchGroup, request: AreaInput, what: str, others: list[dict[str, Any]]) -> Any:
    from argus.geo import ensure_disjoint, ensure_within, parse_area

    area = parse_area(request.area, fix_orientation=request.fix_orientation)
    boundary = parse_area(group.boundary, max_area_m2=None)
    ensure_within(area, boundary, what)
    if others:
        ensure_disjoint(area, [parse_area(o, max_area_m2=None) for o in others], what)
    return area


def add_block(principal: Principal, block_input: dict[str, Any]) -> Block:
    """Officers and coordinators divide a group into blocks inside its boundary that do not overlap."""
    require_manager(principal)
    request = validated(AreaInput, block_input)
    group = store.require_group(principal.org_id, request.group_id)
    if group.status == GroupStatus.CLOSED:
        raise BadUserInput("The group is closed.", details={"field": "groupId", "reason": "group_closed"})
    existing = store.list_blocks(principal.org_id, group.id)
    area = _checked_area(group, request, "block", [b.area for b in existing])
    block = Block(
        id=new_id(),
        group_id=group.id,
        name=request.name,
        area=area.geojson,
        captain_sub=None,
        households=0,
        members=0,
    )
    uow = UnitOfWork()
    store.add_block(uow, principal.org_id, block)
    uow.emit(
        events.watch_event(
            events.BLOCK_ADDED, org_id=group.org_id, group_id=group.id, actor=principal.sub, blockId=block.id
        )
    )
    uow.commit()
    return block


def add_patrol_zone(principal: Principal, zone_input: dict[str, Any]) -> PatrolZone:
    """Officers, coordinators and the group's captains mark patrol zones inside the boundary."""
    request = validated(AreaInput, zone_input)
    group = store.require_group(principal.org_id, request.group_id)
    if group.status == GroupStatus.CLOSED:
        raise BadUserInput("The group is closed.", details={"field": "groupId", "reason": "group_closed"})
    blocks = store.list_blocks(principal.org_id, group.id)
    captained = [b for b in blocks if b.captain_sub == principal.sub and principal.has_any_role(Role.CAPTAIN)]
    if not captained:
        require_manager(principal)
    area = _checked_area(group, request, "patrol zone", [])
    zone = PatrolZone(id=new_id(), group_id=group.id, name=request.name, area=area.geojson)
    uow = UnitOfWork()
    store.add_zone(uow, principal.org_id, zone)
    uow.emit(
        events.watch_event(
            events.ZONE_ADDED, org_id=group.org_id, group_id=group.id, actor=principal.sub, zoneId=zone.id
        )
    )
    uow.commit()
    return zone


def list_blocks(principal: Principal, group_id: str) -> list[Block]:
    store.require_group(principal.org_id, group_id)
    return store.list_blocks(principal.org_id, group_id)


def list_zones(principal: Principal, group_id: str) -> list[PatrolZone]:
    store.require_group(principal.org_id, group_id)
    return store.list_zones(principal.org_id, group_id)
