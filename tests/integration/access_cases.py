"""The access matrix (docs/access.md) as data, and the world its cases run in: an organisation with an
indexed watch group, a completed pattern run, a media bucket — and, for each case, the caller (one
role, a sub of its own) and a fresh object it is, or is not, related to."""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argus.incidents.media import events as media_events
from argus.incidents.media import sanitiser
from argus.incidents.media import service as media
from argus.incidents.media.policy import quarantine_key
from argus.incidents.model import Incident
from argus.incidents.service import reports
from argus.local.provision import create_buckets
from argus.organisations import service as organisations
from argus.patterns import job
from argus.patterns import service as patterns
from argus.platform import keys as core_keys
from argus.platform.auth.principal import Principal, Role
from argus.platform.clock import FixedClock
from argus.platform.cloudevents import CloudEvent, parse_event
from argus.platform.outbox import OutboxItem, UnitOfWork
from argus.platform.settings import Settings
from argus.watch.model import Block, WatchGroup
from argus.watch.service import captains, groups, members
from PIL import Image

from tests.factories.principals import ORG, principal
from tests.fakes.aws import REGION, ArgusAws
from tests.integration.incidents.support import indexed_group, report_input
from tests.integration.watch.support import (
    enrolment,
    inside,
    move,
    officer,
    propose,
    resident,
)

MATRIX = Path(__file__).resolve().parents[2] / "docs" / "access.md"
ROLES = tuple(Role)
APPROVED_MEMBER, GROUP_CAPTAIN, BLOCK_CAPTAIN = "approved member", "group captain", "block captain"
REPORTER, SELF = "reporter", "self"
RELATIONS = frozenset({APPROVED_MEMBER, GROUP_CAPTAIN, BLOCK_CAPTAIN, REPORTER, SELF})
# Captaining the block concerned is captaining one of its group's blocks.
IMPLIES = {BLOCK_CAPTAIN: frozenset({GROUP_CAPTAIN})}
WORLD_CAPTAIN, WORLD_MEMBER = "captain-world", "member-world"
_numbers = itertools.count(1)


def rectangle(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    """A GeoJSON Polygon, counter-clockwise (RFC 7946)."""
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


# A case's group: a small rectangle (cheap to check) in three strips, its two blocks and a free third.
CASE_BOUNDARY = rectangle(-0.110, 51.525, -0.100, 51.530)
CASE_STRIPS = tuple(
    rectangle(-0.110 + i * 0.0033 + 0.0002, 51.5252, -0.110 + (i + 1) * 0.0033 - 0.0002, 51.5298)
    for i in range(3)
)


def matrix() -> dict[str, dict[Role, str]]:
    """The rows of docs/access.md's tables: operation → role → cell."""
    rows: dict[str, dict[Role, str]] = {}
    header = "| operation | " + " | ".join(r.value for r in ROLES) + " |"
    for line in MATRIX.read_text(encoding="utf-8").splitlines():
        if line.startswith("| operation |"):
            assert line == header, f"a matrix table's columns must be the roles in order: {line}"
        match = re.fullmatch(r"\| `(\w+\.\w+)` \|(.*)\|", line)
        if match:
            cells = [c.strip() for c in match.group(2).split("|")]
            assert len(cells) == len(ROLES), line
            assert match.group(1) not in rows, f"{match.group(1)} has two rows"
            rows[match.group(1)] = dict(zip(ROLES, cells, strict=True))
    return rows


def relations_of(cell: str) -> frozenset[str]:
    """The relations a cell allows (empty for ``yes`` and ``no``)."""
    if cell in ("yes", "no"):
        return frozenset()
    named = frozenset(r.strip() for r in cell.split(","))
    assert named <= RELATIONS, f"unknown relation in {cell!r}"
    return named


@dataclass
class World:
    """What every case may use: the organisation, an indexed group with a point inside its first block
    (members report there), a completed pattern run and the media bucket."""

    aws: ArgusAws
    clock: FixedClock
    group: WatchGroup
    point: tuple[float, float]
    run_id: str
    shared: dict[tuple[Role, frozenset[str]], tuple[int, GroupTarget]] = field(default_factory=dict)


def build_world(aws: ArgusAws, fixed: FixedClock) -> World:
    organisations.create_organisation(
        principal(Role.ADMIN), {"name": "Northshire Police", "slug": "northshire-police"}
    )
    group, blocks = indexed_group(aws, blocks=1)
    point = inside(blocks[0].area)
    captains.assign_captain(officer(), group.id, blocks[0].id, WORLD_CAPTAIN)
    reports.report(principal(Role.MEMBER, sub=WORLD_MEMBER), report_input(*point))
    run = patterns.request_run(principal(Role.ANALYST, sub="analyst-world"), 4)
    job.perform(ORG, run.id)
    create_buckets(aws.client("s3"), REGION)
    return World(aws, fixed, group, point, run.id)


@dataclass
class Case:
    """One GraphQL operation as one caller. ``trigger`` (subscriptions) makes the event to deliver."""

    document: str
    variables: dict[str, Any]
    who: Principal
    trigger: Callable[[], CloudEvent] | None = None


@dataclass(frozen=True)
class GroupTarget:
    group: WatchGroup
    block: Block
    other: Block
    block_captain: str
    other_captain: str


@dataclass
class Arrange:
    """A case's caller (``role``, a sub of its own) and the relations it is given to fresh objects."""

    world: World
    role: Role
    relations: frozenset[str]
    n: int = field(default_factory=lambda: next(_numbers))

    @property
    def who(self) -> Principal:
        return principal(self.role, sub=f"{self.role.value}-{self.n}")

    def shared_group(self) -> GroupTarget:
        """A group for operations that change nothing: one per role and relations, built once (the
        caller takes the sub it was built for)."""
        key = (self.role, self.relations)
        if key not in self.world.shared:
            self.world.shared[key] = (self.n, self.group())
        self.n, target = self.world.shared[key]
        return target

    def group(self) -> GroupTarget:
        """A registered group with two captained blocks; the caller captains the first (block captain)
        or the second (group captain) and is an approved member of the first when asked."""
        group = propose(officer(), boundary=CASE_BOUNDARY)
        move(group, "registered")
        block, other = (
            groups.add_block(officer(), {"group_id": group.id, "name": f"Strip {i}", "area": CASE_STRIPS[i]})
            for i in (0, 1)
        )
        sub = self.who.sub
        first = sub if BLOCK_CAPTAIN in self.relations else f"captain-first-{self.n}"
        second = (
            sub
            if GROUP_CAPTAIN in self.relations and BLOCK_CAPTAIN not in self.relations
            else f"captain-second-{self.n}"
        )
        captains.assign_captain(officer(), group.id, block.id, first)
        captains.assign_captain(officer(), group.id, other.id, second)
        if self.relations & {APPROVED_MEMBER, SELF}:
            members.add_member(officer(), enrolment(group, block, "Case Person", self.n), sub)
        return GroupTarget(group, block, other, first, second)

    def incident(self) -> Incident:
        """A report in the world's group, by the caller when they are to be its reporter."""
        reporter = self.who.sub if REPORTER in self.relations else WORLD_MEMBER
        return reports.report(principal(Role.MEMBER, sub=reporter), report_input(*self.world.point))

    def ready_media(self, incident: Incident) -> str:
        """A photo of the incident, uploaded by an officer and sanitised."""
        media_id = self.uploaded_media(incident)
        media.confirm_upload(officer(), incident.id, media_id)
        event = media_events.media_event(
            media_events.MEDIA_UPLOADED,
            org_id=ORG,
            incident_id=incident.id,
            media_id=media_id,
            actor="officer",
        )
        uow = UnitOfWork()
        sanitiser.sanitise_uploaded(event, uow)
        uow.commit()
        return media_id

    def uploaded_media(self, incident: Incident) -> str:
        """A photo an officer has uploaded into quarantine (not yet confirmed)."""
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
        data = buffer.getvalue()
        ticket = media.request_upload(officer(), incident.id, "image/png", len(data))
        self.world.aws.client("s3").put_object(
            Bucket=Settings().quarantine_bucket,
            Key=quarantine_key(ORG, incident.id, ticket.media.id),
            Body=data,
            ContentType="image/png",
        )
        return ticket.media.id

    def pending_member(self, group: WatchGroup, block: Block) -> str:
        return members.enrol(
            resident(f"applicant-{self.n}"), enrolment(group, block, "Applicant", 900 + self.n)
        ).id

    def active_member(self, group: WatchGroup, block: Block) -> str:
        return members.add_member(officer(), enrolment(group, block, "Neighbour", 700 + self.n)).id


def outbox_event(event_id: str) -> CloudEvent:
    """The CloudEvent the outbox holds under ``event_id`` (what the relay would deliver)."""
    item = OutboxItem.get(core_keys.outbox_pk(ORG, event_id), core_keys.OUTBOX_SK)
    return parse_event(json.loads(item.event))
