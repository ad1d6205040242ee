"""GraphQL input types of the watch domain."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.scalars import JSON

from argus.watch import model
from argus.watch.schema import enums  # noqa: F401 - the domain enums are registered before use


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
