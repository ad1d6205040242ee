"""Verified callers."""

from __future__ import annotations

from argus.platform.auth.principal import Principal, Role

ORG = "northshire"
OTHER_ORG = "southvale"


def principal(*roles: Role, org: str = ORG, sub: str = "user-admin") -> Principal:
    """A principal of ``org`` holding ``roles`` (admin when none are given)."""
    return Principal(sub=sub, org_id=org, roles=frozenset(roles or (Role.ADMIN,)))


def admin(org: str = ORG, sub: str = "user-admin") -> Principal:
    return principal(Role.ADMIN, org=org, sub=sub)
