"""Domain types of the watch domain."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, field_validator

from argus.platform.validation import DomainModel

# Members needed before a group counts as having "members enrolled" on its formation checklist.
MIN_MEMBERS_FOR_FORMATION = 5
MAX_HOURS_PER_ACTIVITY = 24


class GroupStatus(StrEnum):
    PROPOSED = "proposed"
    REGISTERED = "registered"
    ACTIVE = "active"
    DORMANT = "dormant"
    CLOSED = "closed"


# Allowed lifecycle moves. Closing is final.
TRANSITIONS: dict[GroupStatus, frozenset[GroupStatus]] = {
    GroupStatus.PROPOSED: frozenset({GroupStatus.REGISTERED, GroupStatus.CLOSED}),
    GroupStatus.REGISTERED: frozenset({GroupStatus.ACTIVE, GroupStatus.CLOSED}),
    GroupStatus.ACTIVE: frozenset({GroupStatus.DORMANT, GroupStatus.CLOSED}),
    GroupStatus.DORMANT: frozenset({GroupStatus.ACTIVE, GroupStatus.CLOSED}),
    GroupStatus.CLOSED: frozenset(),
}


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    VOICE = "voice"
    BOARD = "board"  # the group's community noticeboard


class MemberStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    LEFT = "left"


class ActivityKind(StrEnum):
    PATROL = "patrol"
    DOOR_KNOCK = "door_knock"
    MEETING = "meeting"
    LEAFLETING = "leafleting"
    OTHER = "other"


class TaskKind(StrEnum):
    APPROVE_ENROLMENT = "approve_enrolment"
    FOLLOW_UP = "follow_up"


def _text(limit: int) -> Any:
    def check(value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("must not be empty")
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value

    return AfterValidator(check)


Name = Annotated[str, _text(120)]
Reason = Annotated[str, _text(500)]
Description = Annotated[str, Field(max_length=2000)]


class Checklist(DomainModel):
    model_config = ConfigDict(frozen=True)

    captains_recruited: bool
    members_enrolled: bool
    first_meeting_held: bool

    @property
    def ready(self) -> bool:
        return self.captains_recruited and self.members_enrolled and self.first_meeting_held


class Survey(DomainModel):
    """The interest survey among residents of the proposed area."""

    model_config = ConfigDict(frozen=True)

    responses: int = 0
    interested: int = 0
    willing_to_captain: int = 0


class GroupCounts(DomainModel):
    model_config = ConfigDict(frozen=True)

    blocks: int = 0
    captains: int = 0
    households: int = 0
    members: int = 0
    pending: int = 0
    # Aggregates that survive erasure: people who have ever joined or left.
    joined_total: int = 0
    left_total: int = 0


class WatchGroup(DomainModel):
    model_config = ConfigDict(frozen=True)

    id: str
    org_id: str
    name: str
    description: str
    boundary: dict[str, Any]  # GeoJSON Polygon or MultiPolygon (RFC 7946)
    area_km2: float
    status: GroupStatus
    proposed_by: str
    first_meeting_held: bool
    survey: Survey
    counts: GroupCounts
    created_at: datetime
    updated_at: datetime
    version: int

    @property
    def checklist(self) -> Checklist:
        return Checklist(
            captains_recruited=self.counts.captains > 0,
            members_enrolled=self.counts.members >= MIN_MEMBERS_FOR_FORMATION,
            first_meeting_held=self.first_meeting_held,
        )


class StatusChange(DomainModel):
    model_config = ConfigDict(frozen=True)

    from_status: GroupStatus | None
    to_status: GroupStatus
    by: str
    at: datetime
    reason: str


class Block(DomainModel):
    model_config = ConfigDict(frozen=True)

    id: str
    group_id: str
    name: str
    area: dict[str, Any]
    captain_sub: str | None
    households: int
    members: int
    pending: int = 0


class PatrolZone(DomainModel):
    model_config = ConfigDict(frozen=True)

    id: str
    group_id: str
    name: str
    area: dict[str, Any]


class Consent(DomainModel):
    """A recorded consent: when it was given and the exact wording shown."""

    model_config = ConfigDict(frozen=True)

    given_at: datetime
    wording: str


class ContactPreference(DomainModel):
    model_config = ConfigDict(frozen=True)

    channel: Channel
    address: str | None = Field(default=None, max_length=320)
    enabled: bool = True
    consent: Consent | None = None


class ContactPreferenceInput(DomainModel):
    channel: Channel
    address: str | None = Field(default=None, max_length=320)
    enabled: bool = True
    consent_wording: str | None = Field(default=None, max_length=1000)

    @field_validator("address")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_channel_address(pref: ContactPreferenceInput) -> str | None:
    """A problem with the address or consent for the channel, or None. Push notifications go to the
    person's device, so they need consent like any direct channel; the group's noticeboard reaches
    nobody personally and needs neither address nor consent."""
    if pref.channel == Channel.BOARD:
        return None
    if pref.channel == Channel.PUSH:
        return (
            "push needs the consent wording the person agreed to"
            if pref.enabled and not pref.consent_wording
            else None
        )
    if not pref.address:
        return f"{pref.channel.value} needs an address"
    if pref.channel == Channel.EMAIL and not _EMAIL.match(pref.address):
        return "email address is not valid"
    if pref.channel in (Channel.SMS, Channel.VOICE) and not _E164.match(pref.address):
        return f"{pref.channel.value} needs a phone number in E.164 form, e.g. +447700900123"
    if pref.enabled and not pref.consent_wording:
        return f"{pref.channel.value} needs the consent wording the person agreed to"
    return None


def _check_channels(channels: list[ContactPreferenceInput]) -> list[ContactPreferenceInput]:
    problems = [p for p in (check_channel_address(c) for c in channels) if p]
    if problems:
        raise ValueError("; ".join(problems))
    if len({c.channel for c in channels}) != len(channels):
        raise ValueError("each channel may appear once")
    return channels


# A person's contact channels as given: each address valid for its channel, consent for each enabled one.
Channels = Annotated[list[ContactPreferenceInput], Field(max_length=5), AfterValidator(_check_channels)]


class Address(DomainModel):
    model_config = ConfigDict(frozen=True)

    line1: Annotated[str, _text(200)]
    line2: str | None = Field(default=None, max_length=200)
    postcode: Annotated[str, _text(16)]


class Member(DomainModel):
    model_config = ConfigDict(frozen=True)

    id: str
    group_id: str
    block_id: str
    household_id: str
    sub: str | None  # None once erased
    display_name: str
    status: MemberStatus
    channels: tuple[ContactPreference, ...]
    joined_at: datetime
    approved_by: str | None
    approved_at: datetime | None


class Household(DomainModel):
    model_config = ConfigDict(frozen=True)

    id: str
    group_id: str
    block_id: str
    address: Address | None  # None once erased
    members: int


class Assignment(DomainModel):
    """A captain's assignment to a block."""

    model_config = ConfigDict(frozen=True)

    captain_sub: str
    group_id: str
    block_id: str
    block_name: str
    assigned_at: datetime


class CaptainFigures(DomainModel):
    """Participation and performance counters of one captain (kept with atomic ADD updates)."""

    model_config = ConfigDict(frozen=True)

    households: int = 0
    members: int = 0
    pending: int = 0
    activities: int = 0
    hours: float = 0.0
    members_added: int = 0
    approvals: int = 0
    approval_hours_total: float = 0.0

    @property
    def mean_response_hours(self) -> float | None:
        return self.approval_hours_total / self.approvals if self.approvals else None


class CaptainTask(DomainModel):
    model_config = ConfigDict(frozen=True)

    id: str
    captain_sub: str
    group_id: str
    block_id: str | None
    kind: TaskKind
    title: str
    member_id: str | None
    created_at: datetime


class Activity(DomainModel):
    model_config = ConfigDict(frozen=True)

    id: str
    captain_sub: str
    group_id: str
    block_id: str | None
    kind: ActivityKind
    hours: float
    occurred_on: date
    note: str | None
    logged_at: datetime


class MentorLink(DomainModel):
    model_config = ConfigDict(frozen=True)

    mentor_sub: str
    mentee_sub: str
    group_id: str
    since: datetime
