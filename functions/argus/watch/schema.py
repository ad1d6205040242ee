"""GraphQL types, queries, mutations and the live subscription of the watch domain."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date, datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from argus.api.context import principal_of
from argus.api.inputs import plain
from argus.api.live import LiveEvent, get_broker
from argus.api.permissions import related, requires
from argus.api.relay import Connection, connection
from argus.platform.auth.principal import Principal
from argus.platform.errors import Forbidden
from argus.watch import events, model
from argus.watch.service import access, captains, geography, groups, members, roster_import
from argus.watch.store import captains as captain_store
from argus.watch.store import people as people_store

strawberry.enum(model.GroupStatus, name="WatchGroupStatus")
strawberry.enum(model.MemberStatus, name="MemberStatus")
strawberry.enum(model.Channel, name="ContactChannelKind")
strawberry.enum(model.ActivityKind, name="ActivityKind")
strawberry.enum(model.TaskKind, name="CaptainTaskKind")


async def _related_group_ids(info: Info) -> set[str]:
    """Groups the caller belongs to or captains (read once per request)."""
    cache = info.context.__dict__.setdefault("_watch_related", {})
    if "ids" not in cache:
        principal = principal_of(info)
        ids = {m.group_id for m in people_store.memberships(principal.org_id, principal.sub)}
        ids |= {a.group_id for a in captain_store.read_partition(principal.org_id, principal.sub).assignments}
        cache["ids"] = ids
    return cast(set[str], cache["ids"])


async def _details_allowed(info: Info, group_id: str) -> bool:
    principal = principal_of(info)
    return access.is_staff(principal) or group_id in await _related_group_ids(info)


async def _group_relation(info: Info, source: Any, arguments: dict[str, Any]) -> bool:
    """A member, a captain or staff of the group (``source`` is the WatchGroup type)."""
    return await _details_allowed(info, source.source.id)


async def _require_details(info: Info, group_id: str) -> Principal:
    if not await _details_allowed(info, group_id):
        raise Forbidden("Only the group's members, captains and staff may see this.")
    return principal_of(info)


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

    @strawberry.field(description="Members, captains and staff.", extensions=related(_group_relation))
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

    @strawberry.field(description="Members, captains and staff.", extensions=related(_group_relation))
    async def status_history(self, info: Info) -> list[StatusChange]:
        principal = principal_of(info)
        return [
            StatusChange(from_status=c.from_status, to_status=c.to_status, by=c.by, at=c.at, reason=c.reason)
            for c in groups.status_history(principal, self.source.id)
        ]

    @strawberry.field
    def blocks(self, info: Info) -> list[Block]:
        return [Block.of(b) for b in groups.list_blocks(principal_of(info), self.source.id)]

    @strawberry.field
    def patrol_zones(self, info: Info) -> list[PatrolZone]:
        return [
            PatrolZone(id=strawberry.ID(z.id), name=z.name, area=cast(JSON, z.area))
            for z in groups.list_zones(principal_of(info), self.source.id)
        ]

    @strawberry.field(description="Boundary, blocks and patrol zones as a GeoJSON FeatureCollection.")
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


@strawberry.input
class ProposeWatchGroupInput:
    name: str
    description: str = ""
    boundary: JSON
    fix_orientation: bool = False


@strawberry.input
class AreaInput:
    group_id: strawberry.ID
    name: str
    area: JSON
    fix_orientation: bool = False


@strawberry.input
class ChangeWatchGroupStatusInput:
    group_id: strawberry.ID
    status: model.GroupStatus
    reason: str


@strawberry.input
class AddressInput:
    line1: str
    line2: str | None = None
    postcode: str


@strawberry.input
class ContactPreferenceInput:
    channel: model.Channel
    address: str | None = None
    enabled: bool = True
    consent_wording: str | None = strawberry.field(default=None, description="The exact wording agreed to.")


@strawberry.input
class EnrolmentInput:
    group_id: strawberry.ID
    block_id: strawberry.ID
    display_name: str
    household_id: strawberry.ID | None = None
    address: AddressInput | None = None
    channels: list[ContactPreferenceInput] = strawberry.field(default_factory=list)


@strawberry.input
class ImportedPersonInput:
    display_name: str
    sub: str | None = None
    channels: list[ContactPreferenceInput] = strawberry.field(default_factory=list)


@strawberry.input
class HouseholdImportInput:
    address: AddressInput
    members: list[ImportedPersonInput]


@strawberry.input
class ImportBlockRosterInput:
    group_id: strawberry.ID
    block_id: strawberry.ID
    households: list[HouseholdImportInput]


@strawberry.type
class RosterImportResult:
    households: int
    members: int


@strawberry.input
class LogActivityInput:
    group_id: strawberry.ID
    block_id: strawberry.ID | None = None
    kind: model.ActivityKind
    hours: float
    occurred_on: date
    note: str | None = None


@strawberry.type
class Query:
    @strawberry.field(extensions=requires(), description="Watch groups of the caller's organisation.")
    def watch_groups(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[WatchGroup]:
        return connection(groups.list_groups(principal_of(info), first, after), WatchGroup.of)

    @strawberry.field(extensions=requires())
    def watch_group(self, info: Info, id: strawberry.ID) -> WatchGroup:
        return WatchGroup.of(groups.get_group(principal_of(info), str(id)))

    @strawberry.field(extensions=requires(), description="The block's captain and staff only.")
    def block_roster(
        self,
        info: Info,
        group_id: strawberry.ID,
        block_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Member]:
        page = members.block_roster(principal_of(info), str(group_id), str(block_id), first, after)
        return connection(page, Member.of)

    @strawberry.field(extensions=requires(), description="For block captains, in one round trip.")
    def captain_hub(self, info: Info, first: int | None = None, after: str | None = None) -> CaptainHub:
        hub = captains.captain_hub(principal_of(info), first, after)
        return CaptainHub(
            captain_sub=hub.captain_sub,
            blocks=[
                Assignment(
                    group_id=strawberry.ID(a.group_id),
                    block_id=strawberry.ID(a.block_id),
                    block_name=a.block_name,
                    assigned_at=a.assigned_at,
                )
                for a in hub.assignments
            ],
            figures=CaptainFigures.of(hub.figures),
            roster=connection(hub.roster, Member.of),
            roster_block_id=strawberry.ID(hub.roster_block_id) if hub.roster_block_id else None,
            recent_activity=[Activity.of(a) for a in hub.recent_activity],
            open_tasks=[
                CaptainTask(
                    id=strawberry.ID(t.id),
                    kind=t.kind,
                    title=t.title,
                    group_id=strawberry.ID(t.group_id),
                    block_id=strawberry.ID(t.block_id) if t.block_id else None,
                    member_id=strawberry.ID(t.member_id) if t.member_id else None,
                    created_at=t.created_at,
                )
                for t in hub.open_tasks
            ],
            mentors=[_link(m) for m in hub.mentors],
            mentees=[_link(m) for m in hub.mentees],
        )

    @strawberry.field(extensions=requires())
    def my_memberships(self, info: Info) -> list[Member]:
        return [Member.of(m) for m in members.my_memberships(principal_of(info))]

    @strawberry.field(extensions=requires(*access.STAFF))
    def captain_performance(self, info: Info, group_id: strawberry.ID) -> list[CaptainPerformance]:
        return [
            CaptainPerformance(
                captain_sub=p.captain_sub,
                block_ids=[strawberry.ID(b) for b in p.blocks],
                figures=CaptainFigures.of(p.figures),
            )
            for p in captains.captain_performance(principal_of(info), str(group_id))
        ]

    @strawberry.field(extensions=requires())
    async def group_activity(
        self, info: Info, group_id: strawberry.ID, first: int | None = None, after: str | None = None
    ) -> Connection[Activity]:
        principal = await _require_details(info, str(group_id))
        return connection(captains.group_activity(principal, str(group_id), first, after), Activity.of)

    @strawberry.field(extensions=requires(), description="Which group and block cover a point (WGS 84).")
    def coverage(self, info: Info, longitude: float, latitude: float) -> Coverage:
        found = geography.locate(principal_of(info), longitude, latitude)
        return Coverage(
            group=WatchGroup.of(found.group) if found.group else None,
            block=Block.of(found.block) if found.block else None,
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires())
    def propose_watch_group(self, info: Info, input: ProposeWatchGroupInput) -> WatchGroup:
        return WatchGroup.of(groups.propose_group(principal_of(info), plain(input)))

    @strawberry.mutation(extensions=requires())
    def answer_interest_survey(
        self, info: Info, group_id: strawberry.ID, interested: bool, willing_to_captain: bool = False
    ) -> WatchGroup:
        return WatchGroup.of(
            groups.answer_survey(principal_of(info), str(group_id), interested, willing_to_captain)
        )

    @strawberry.mutation(extensions=requires(*access.MANAGERS))
    def change_watch_group_status(self, info: Info, input: ChangeWatchGroupStatusInput) -> WatchGroup:
        return WatchGroup.of(groups.change_status(principal_of(info), plain(input)))

    @strawberry.mutation(extensions=requires())
    def record_first_meeting(self, info: Info, group_id: strawberry.ID) -> WatchGroup:
        return WatchGroup.of(groups.record_first_meeting(principal_of(info), str(group_id)))

    @strawberry.mutation(extensions=requires(*access.MANAGERS))
    def add_block(self, info: Info, input: AreaInput) -> Block:
        return Block.of(groups.add_block(principal_of(info), plain(input)))

    @strawberry.mutation(extensions=requires())
    def add_patrol_zone(self, info: Info, input: AreaInput) -> PatrolZone:
        zone = groups.add_patrol_zone(principal_of(info), plain(input))
        return PatrolZone(id=strawberry.ID(zone.id), name=zone.name, area=cast(JSON, zone.area))

    @strawberry.mutation(extensions=requires(*access.MANAGERS))
    def assign_captain(
        self, info: Info, group_id: strawberry.ID, block_id: strawberry.ID, captain_sub: str
    ) -> Assignment:
        a = captains.assign_captain(principal_of(info), str(group_id), str(block_id), captain_sub)
        return Assignment(
            group_id=strawberry.ID(a.group_id),
            block_id=strawberry.ID(a.block_id),
            block_name=a.block_name,
            assigned_at=a.assigned_at,
        )

    @strawberry.mutation(extensions=requires(), description="Self sign-up; pending until approved.")
    def enrol(self, info: Info, input: EnrolmentInput) -> Member:
        return Member.of(members.enrol(principal_of(info), plain(input)))

    @strawberry.mutation(extensions=requires(), description="A captain or officer adds a member directly.")
    def add_member(self, info: Info, input: EnrolmentInput, member_sub: str | None = None) -> Member:
        return Member.of(members.add_member(principal_of(info), plain(input), member_sub))

    @strawberry.mutation(
        extensions=requires(), description="A captain or officer adds many households at once."
    )
    def import_block_roster(self, info: Info, input: ImportBlockRosterInput) -> RosterImportResult:
        result = roster_import.import_roster(principal_of(info), plain(input))
        return RosterImportResult(households=result.households, members=result.members)

    @strawberry.mutation(extensions=requires())
    def approve_enrolment(
        self, info: Info, group_id: strawberry.ID, block_id: strawberry.ID, member_id: strawberry.ID
    ) -> Member:
        return Member.of(members.approve(principal_of(info), str(group_id), str(block_id), str(member_id)))

    @strawberry.mutation(extensions=requires(), description="Set how the group reaches you, with consent.")
    def update_my_contact_preferences(
        self, info: Info, group_id: strawberry.ID, channels: list[ContactPreferenceInput]
    ) -> Member:
        return Member.of(members.update_my_channels(principal_of(info), str(group_id), plain(channels)))

    @strawberry.mutation(extensions=requires(), description="Leave a group; personal data is erased.")
    def leave_watch_group(self, info: Info, group_id: strawberry.ID) -> Member:
        return Member.of(members.leave(principal_of(info), str(group_id)))

    @strawberry.mutation(extensions=requires(), description="Remove a member; personal data is erased.")
    def remove_member(
        self, info: Info, group_id: strawberry.ID, block_id: strawberry.ID, member_id: strawberry.ID
    ) -> Member:
        return Member.of(members.remove(principal_of(info), str(group_id), str(block_id), str(member_id)))

    @strawberry.mutation(extensions=requires())
    def log_activity(self, info: Info, input: LogActivityInput) -> Activity:
        return Activity.of(captains.log_activity(principal_of(info), plain(input)))

    @strawberry.mutation(extensions=requires(*access.MANAGERS))
    def link_mentor(
        self, info: Info, group_id: strawberry.ID, mentor_sub: str, mentee_sub: str
    ) -> MentorLink:
        return _link(captains.link_mentor(principal_of(info), str(group_id), mentor_sub, mentee_sub))


@strawberry.type
class Subscription:
    @strawberry.subscription(
        extensions=requires(), description="A group's activity, live (members, captains, staff)."
    )
    async def watch_group_activity(
        self, info: Info, group_id: strawberry.ID
    ) -> AsyncGenerator[LiveEvent, None]:
        principal = principal_of(info)
        groups.get_group(principal, str(group_id))  # NOT_FOUND outside the caller's organisation
        await _require_details(info, str(group_id))
        wanted = str(group_id)
        stream = get_broker().subscribe(
            lambda e: (
                e.get_extension("orgid") == principal.org_id
                and e.get_type() in events.LIVE_TYPES
                and e.get_subject() == wanted
            )
        )
        async for event in stream:
            yield LiveEvent.from_cloudevent(event)
