"""GraphQL output types of the watch domain; fields with details of a group need a relation to it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from argus.api.context import principal_of
from argus.api.cost import cost
from argus.api.permissions import related
from argus.api.relay import Connection
from argus.watch import model
from argus.watch.schema import enums  # noqa: F401 - the domain enums are registered before use
from argus.watch.service import access, geography, groups


def _relations(info: Info) -> access.GroupRelations:
    """The caller's relations to groups, read once per request (a list of groups asks for each)."""
    cache = info.context.__dict__.setdefault("_watch_related", {})
    if "relations" not in cache:
        cache["relations"] = access.group_relations(principal_of(info))
    return cast(access.GroupRelations, cache["relations"])


async def _group_relation(info: Info, source: Any, arguments: dict[str, Any]) -> bool:
    """Staff, a captain or an approved member of the group (``source`` is the WatchGroup type)."""
    return _relations(info).sees_details(source.source.id)


@strawberry.type
class Checklist:
    captains_recruited: bool
    members_enrolled: bool
    first_meeting_held: bool
    ready: bool


@strawberry.type
class InterestSurvey:
    responses: int
    interested: int
    willing_to_captain: int


@strawberry.type
class GroupCounts:
    blocks: int
    captained_blocks: int
    households: int
    members: int
    pending: int
    joined_total: int
    left_total: int


@strawberry.type
class StatusChange:
    from_status: model.GroupStatus | None
    to_status: model.GroupStatus
    by: str
    at: datetime
    reason: str


@strawberry.type
class Block:
    id: strawberry.ID
    group_id: strawberry.ID
    name: str
    area: JSON
    captain_sub: str | None
    households: int
    members: int

    @classmethod
    def of(cls, b: model.Block) -> Block:
        return cls(
            id=strawberry.ID(b.id),
            group_id=strawberry.ID(b.group_id),
            name=b.name,
            area=cast(JSON, b.area),
            captain_sub=b.captain_sub,
            households=b.households,
            members=b.members,
        )


@strawberry.type
class PatrolZone:
    id: strawberry.ID
    name: str
    area: JSON


@strawberry.type(description="Public information about a watch group; details need a relation.")
class WatchGroup:
    id: strawberry.ID
    name: str
    description: str
    status: model.GroupStatus
    boundary: JSON
    area_km2: float
    created_at: datetime
    source: strawberry.Private[model.WatchGroup]

    @classmethod
    def of(cls, g: model.WatchGroup) -> WatchGroup:
        return cls(
            id=strawberry.ID(g.id),
            name=g.name,
            description=g.description,
            status=g.status,
            boundary=cast(JSON, g.boundary),
            area_km2=g.area_km2,
            created_at=g.created_at,
            source=g,
        )

    @strawberry.field(
        description="Staff, the group's captains and approved members.", extensions=related(_group_relation)
    )
    async def counts(self, info: Info) -> GroupCounts:
        c = self.source.counts
        return GroupCounts(
            blocks=c.blocks,
            captained_blocks=c.captains,
            households=c.households,
            members=c.members,
            pending=c.pending,
            joined_total=c.joined_total,
            left_total=c.left_total,
        )

    @strawberry.field
    def checklist(self) -> Checklist:
        c = self.source.checklist
        return Checklist(
            captains_recruited=c.captains_recruited,
            members_enrolled=c.members_enrolled,
            first_meeting_held=c.first_meeting_held,
            ready=c.ready,
        )

    @strawberry.field
    def survey(self) -> InterestSurvey:
        s = self.source.survey
        return InterestSurvey(
            responses=s.responses, interested=s.interested, willing_to_captain=s.willing_to_captain
        )

    @strawberry.field(
        description="Staff, the group's captains and approved members.",
        extensions=[*related(_group_relation), cost(1)],
    )
    async def status_history(self, info: Info) -> list[StatusChange]:
        principal = principal_of(info)
        return [
            StatusChange(from_status=c.from_status, to_status=c.to_status, by=c.by, at=c.at, reason=c.reason)
            for c in groups.status_history(principal, self.source.id)
        ]

    @strawberry.field(extensions=[cost(1)])
    def blocks(self, info: Info) -> list[Block]:
        return [Block.of(b) for b in groups.list_blocks(principal_of(info), self.source.id)]

    @strawberry.field(extensions=[cost(1)])
    def patrol_zones(self, info: Info) -> list[PatrolZone]:
        return [
            PatrolZone(id=strawberry.ID(z.id), name=z.name, area=cast(JSON, z.area))
            for z in groups.list_zones(principal_of(info), self.source.id)
        ]

    @strawberry.field(
        extensions=[cost(3)], description="Boundary, blocks and patrol zones as a GeoJSON FeatureCollection."
    )
    def geo_json(self, info: Info) -> JSON:
        return cast(JSON, geography.export_group(principal_of(info), self.source.id))


@strawberry.type
class ContactPreference:
    channel: model.Channel
    address: str | None
    enabled: bool
    consent_given_at: datetime | None
    consent_wording: str | None


@strawberry.type
class Member:
    id: strawberry.ID
    group_id: strawberry.ID
    block_id: strawberry.ID
    household_id: strawberry.ID
    display_name: str
    status: model.MemberStatus
    joined_at: datetime
    approved_at: datetime | None
    channels: list[ContactPreference]

    @classmethod
    def of(cls, m: model.Member) -> Member:
        return cls(
            id=strawberry.ID(m.id),
            group_id=strawberry.ID(m.group_id),
            block_id=strawberry.ID(m.block_id),
            household_id=strawberry.ID(m.household_id),
            display_name=m.display_name,
            status=m.status,
            joined_at=m.joined_at,
            approved_at=m.approved_at,
            channels=[
                ContactPreference(
                    channel=c.channel,
                    address=c.address,
                    enabled=c.enabled,
                    consent_given_at=c.consent.given_at if c.consent else None,
                    consent_wording=c.consent.wording if c.consent else None,
                )
                for c in m.channels
            ],
        )


@strawberry.type
class Assignment:
    group_id: strawberry.ID
    block_id: strawberry.ID
    block_name: str
    assigned_at: datetime


@strawberry.type
class CaptainFigures:
    households: int
    members: int
    pending: int
    activities: int
    hours: float
    members_added: int
    approvals: int
    mean_response_hours: float | None

    @classmethod
    def of(cls, f: model.CaptainFigures) -> CaptainFigures:
        return cls(
            households=f.households,
            members=f.members,
            pending=f.pending,
            activities=f.activities,
            hours=f.hours,
            members_added=f.members_added,
            approvals=f.approvals,
            mean_response_hours=f.mean_response_hours,
        )


@strawberry.type
class Activity:
    id: strawberry.ID
    captain_sub: str
    group_id: strawberry.ID
    block_id: strawberry.ID | None
    kind: model.ActivityKind
    hours: float
    occurred_on: date
    note: str | None
    logged_at: datetime

    @classmethod
    def of(cls, a: model.Activity) -> Activity:
        return cls(
            id=strawberry.ID(a.id),
            captain_sub=a.captain_sub,
            group_id=strawberry.ID(a.group_id),
            block_id=strawberry.ID(a.block_id) if a.block_id else None,
            kind=a.kind,
            hours=a.hours,
            occurred_on=a.occurred_on,
            note=a.note,
            logged_at=a.logged_at,
        )


@strawberry.type
class CaptainTask:
    id: strawberry.ID
    kind: model.TaskKind
    title: str
    group_id: strawberry.ID
    block_id: strawberry.ID | None
    member_id: strawberry.ID | None
    created_at: datetime


@strawberry.type
class MentorLink:
    mentor_sub: str
    mentee_sub: str
    group_id: strawberry.ID
    since: datetime


def _link(link: model.MentorLink) -> MentorLink:
    return MentorLink(
        mentor_sub=link.mentor_sub,
        mentee_sub=link.mentee_sub,
        group_id=strawberry.ID(link.group_id),
        since=link.since,
    )


@strawberry.type(
    description="A block captain's blocks, roster page, figures, recent activity and open tasks."
)
class CaptainHub:
    captain_sub: str
    blocks: list[Assignment]
    figures: CaptainFigures
    roster: Connection[Member]
    roster_block_id: strawberry.ID | None
    recent_activity: list[Activity]
    open_tasks: list[CaptainTask]
    mentors: list[MentorLink]
    mentees: list[MentorLink]


@strawberry.type
class CaptainPerformance:
    captain_sub: str
    block_ids: list[strawberry.ID]
    figures: CaptainFigures


@strawberry.type
class Coverage:
    group: WatchGroup | None
    block: Block | None
