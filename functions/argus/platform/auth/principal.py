"""Who is calling: the verified subject, their organisation and their roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"
    MEMBER = "member"
    CAPTAIN = "captain"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    ADMIN = "admin"
    PARTNER = "partner"


KNOWN_ROLES = frozenset(r.value for r in Role)
# Roles that count as organisation staff (police and programme staff, not the public).
STAFF_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})


@dataclass(frozen=True)
class Principal:
    """A verified caller. ``org_id`` comes only from a verified token."""

    sub: str
    org_id: str
    roles: frozenset[Role]
    scopes: frozenset[str] = field(default_factory=frozenset)
    email: str | None = None
    name: str | None = None
    # When the token that proved this principal expires (its ``exp``); None for principals not made from
    # a token (tests, internal jobs). Long-lived connections (subscriptions) end at this moment. Not
    # part of equality: the same caller with a fresh token is the same principal.
    expires_at: datetime | None = field(default=None, compare=False)

    def has_any_role(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)
