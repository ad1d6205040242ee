"""Who is calling: the verified subject, their organisation and their roles."""

from __future__ import annotations

from dataclasses import dataclass, field
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

    def has_any_role(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)
