"""Queries, mutations and the live subscription of the watch domain."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from argus.api.context import principal_of
from argus.api.cost import cost
from argus.api.inputs import plain
from argus.api.live import LiveEvent, follow
from argus.api.permissions import requires
from argus.api.relay import Connection, connection
from argus.watch import events
from argus.watch.schema.inputs import (
    AreaInput,
    ChangeWatchGroupStatusInput,
    ContactPreferenceInput,
    EnrolmentInput,
    ImportBlockRosterInput,
    LogActivityInput,
    ProposeWatchGroupInput,
    RosterImportResult,
)
from argus.watch.schema.types import (
    Activity,
    Assignment,
    Block,
    CaptainFigures,
    CaptainHub,
    CaptainPerformance,
    CaptainTask,
    Coverage,
    Member,
    MentorLink,
    PatrolZone,
    WatchGroup,
    _link,
)
from argus.watch.service import access, captains, geography, groups, members, roster_import


@strawberry.type
class Query:
    @strawberry.field(
        extensions=[*requires(), cost(1, paged_by="first")],
        description="Watch groups of the caller's organisation.",
    )
    def watch_groups(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[WatchGroup]:
        return connection(groups.list_groups(principal_of(info), first, after), WatchGroup.of)

    @strawberry.field(extensions=requires())
    def watch_group(self, info: Info, id: strawberry.ID) -> WatchGroup:
        return WatchGroup.of(groups.get_group(principal_of(info), str(id)))

    @strawberry.field(
        extensions=[*requires(), cost(1, paged_by="first")], description="The block's captain and staff only."
    )
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

    @strawberry.field(
        # Three queries and a roster page (run again for each alias); the page holds the roster's members.
        extensions=[*requires(), cost(10, paged_by="first")],
        description="For block captains, in one round trip.",
    )
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

    @strawberry.field(extensions=[*requires(), cost(5)])  # one read per membership
    def my_memberships(self, info: Info) -> list[Member]:
        return [Member.of(m) for m in members.my_memberships(principal_of(info))]

    @strawberry.field(extensions=[*requires(*access.STAFF), cost(20)])  # one read per captain
    def captain_performance(self, info: Info, group_id: strawberry.ID) -> list[CaptainPerformance]:
        return [
            CaptainPerformance(
                captain_sub=p.captain_sub,
                block_ids=[strawberry.ID(b) for b in p.blocks],
                figures=CaptainFigures.of(p.figures),
            )
            for p in captains.captain_performance(principal_of(info), str(group_id))
        ]

    @strawberry.field(
        extensions=[*requires(), cost(1, paged_by="first")],
        description="Staff, the group's captains and approved members.",
    )
    def group_activity(
        self, info: Info, group_id: strawberry.ID, first: int | None = None, after: str | None = None
    ) -> Connection[Activity]:
        page = captains.group_activity(principal_of(info), str(group_id), first, after)
        return connection(page, Activity.of)

    @strawberry.field(extensions=requires(), description="Which group and block cover a point (WGS 84).")
    def coverage(self, info: Info, longitude: float, latitude: float) -> Coverage:
        found = geography.locate(principal_of(info), longitude, latitude)
        return Coverage(
            group=WatchGroup.of(found.group) if found.group else None,
            block=Block.of(found.block) if found.block else None,
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires(*access.PARTICIPANTS))
    def propose_watch_group(self, info: Info, input: ProposeWatchGroupInput) -> WatchGroup:
        return WatchGroup.of(groups.propose_group(principal_of(info), plain(input)))

    @strawberry.mutation(extensions=requires(*access.PARTICIPANTS))
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

    @strawberry.mutation(
        extensions=requires(*access.PARTICIPANTS), description="Self sign-up; pending until approved."
    )
    def enrol(self, info: Info, input: EnrolmentInput) -> Member:
        return Member.of(members.enrol(principal_of(info), plain(input)))

    @strawberry.mutation(extensions=requires(), description="A captain or officer adds a member directly.")
    def add_member(self, info: Info, input: EnrolmentInput, member_sub: str | None = None) -> Member:
        return Member.of(members.add_member(principal_of(info), plain(input), member_sub))

    @strawberry.mutation(
        extensions=[*requires(), cost(20)], description="A captain or officer adds many households at once."
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
        extensions=requires(),
        description="A group's activity, live (staff, the group's captains and approved members); ends "
        "when the token expires or the relation to the group ends.",
    )
    async def watch_group_activity(
        self, info: Info, group_id: strawberry.ID
    ) -> AsyncGenerator[LiveEvent, None]:
        principal = principal_of(info)
        wanted = str(group_id)
        access.require_follower(principal, wanted)
        stream = follow(
            principal,
            lambda e: (
                e.get_extension("orgid") == principal.org_id
                and e.get_type() in events.LIVE_TYPES
                and e.get_subject() == wanted
            ),
            lambda: access.may_follow_group(principal, wanted),
        )
        async for event in stream:
            yield LiveEvent.from_cloudevent(event)
