"""Bulk roster import: a captain (of the block) or an officer adds many households at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from argus.platform import clock
from argus.platform.auth.principal import Principal
from argus.platform.ids import new_id
from argus.platform.outbox import UnitOfWork
from argus.platform.validation import DomainModel, validated
from argus.watch import events
from argus.watch.model import (
    Address,
    Block,
    Channels,
    Household,
    Member,
    MemberStatus,
    Name,
    WatchGroup,
)
from argus.watch.service.access import require_block_manager
from argus.watch.service.members import open_group_and_block, preferences
from argus.watch.store import captains as captain_store
from argus.watch.store import groups as group_store
from argus.watch.store import people as store


class ImportedPerson(DomainModel):
    display_name: Name
    sub: str | None = Field(default=None, max_length=128)
    channels: Channels = Field(default_factory=list)


class HouseholdImport(DomainModel):
    address: Address
    members: list[ImportedPerson] = Field(min_length=1, max_length=12)


class RosterImport(DomainModel):
    group_id: str = Field(min_length=1, max_length=64)
    block_id: str = Field(min_length=1, max_length=64)
    households: list[HouseholdImport] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_membership_per_account(self) -> RosterImport:
        subs = [p.sub for h in self.households for p in h.members if p.sub is not None]
        repeated = sorted({s for s in subs if subs.count(s) > 1})
        if repeated:
            raise ValueError(f"each account may appear once; repeated: {', '.join(repeated)}")
        return self


# Writes per imported person (member, membership, outbox event) and household; 3 counter items per batch.
_BATCH_ITEM_BUDGET = 90


@dataclass(frozen=True)
class ImportResult:
    households: int
    members: int


def import_roster(principal: Principal, import_input: dict[str, Any]) -> ImportResult:
    """A captain (of that block) or an officer adds many households at once; every person is active.
    The whole input is validated first; households are then written in transactions of whole
    households (each batch all or nothing, with its counters and events). Raises Conflict when a
    person is already enrolled (that batch and later ones are not written; earlier ones stay)."""
    request = validated(RosterImport, import_input)
    group, block = open_group_and_block(principal, request.group_id, request.block_id)
    require_block_manager(principal, block)
    moment = clock.now()
    done = ImportResult(0, 0)
    batch: list[HouseholdImport] = []
    used = 0
    for household in request.households:
        cost = 1 + 3 * len(household.members)
        if batch and used + cost > _BATCH_ITEM_BUDGET:
            done = _import_batch(principal, group, block, batch, moment, done)
            batch, used = [], 0
        batch.append(household)
        used += cost
    return _import_batch(principal, group, block, batch, moment, done) if batch else done


def _import_batch(
    principal: Principal,
    group: WatchGroup,
    block: Block,
    batch: list[HouseholdImport],
    moment: datetime,
    done: ImportResult,
) -> ImportResult:
    org = principal.org_id
    uow = UnitOfWork()
    people = 0
    for entry in batch:
        household = Household(
            id=new_id(),
            group_id=group.id,
            block_id=block.id,
            address=entry.address,
            members=len(entry.members),
        )
        store.add_household(uow, org, household)
        for person in entry.members:
            member = Member(
                id=new_id(),
                group_id=group.id,
                block_id=block.id,
                household_id=household.id,
                sub=person.sub,
                display_name=person.display_name,
                status=MemberStatus.ACTIVE,
                channels=preferences(person.channels, moment),
                joined_at=moment,
                approved_by=principal.sub,
                approved_at=moment,
            )
            store.add_member(uow, org, member)
            uow.emit(
                events.member_event(
                    events.MEMBER_ENROLLED,
                    org_id=org,
                    member=member,
                    actor=principal.sub,
                    status=member.status.value,
                )
            )
            people += 1
    households = len(batch)
    group_store.bump_group(
        uow,
        org,
        group.id,
        {"members": people, "joined_total": people, "households": households},
        closed_check=True,
    )
    group_store.bump_block(uow, org, group.id, block.id, members=people, households=households)
    if block.captain_sub:
        captain_store.bump_figures(
            uow, org, block.captain_sub, members=people, members_added=people, households=households
        )
    uow.commit()
    return ImportResult(done.households + households, done.members + people)
