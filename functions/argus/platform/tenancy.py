"""Tenancy: every key of tenant data starts ``ORG#<orgId>#``. The organisation id always comes from
a verified token (``Principal.org_id``), never from client input."""

from __future__ import annotations

import re

from argus.platform.errors import BadUserInput

# Organisation ids are slugs chosen at creation: lowercase letters, digits and single hyphens.
ORG_ID_PATTERN = re.compile(r"^(?=.{1,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_org_id(org_id: str) -> str:
    """Return ``org_id`` if it is a well-formed organisation id, else raise BadUserInput."""
    if not isinstance(org_id, str) or not ORG_ID_PATTERN.match(org_id) or "--" in org_id:
        raise BadUserInput(
            "Organisation id must be 1-63 lowercase letters, digits or single hyphens.",
            details={"field": "orgId"},
        )
    return org_id


def tenant_prefix(org_id: str) -> str:
    """The prefix every tenant key starts with."""
    return f"ORG#{check_org_id(org_id)}#"


def org_of_key(key: str) -> str | None:
    """The organisation id a tenant key belongs to, or None for a key outside any tenant."""
    if not key.startswith("ORG#"):
        return None
    rest = key[4:]
    org, sep, _ = rest.partition("#")
    return org if sep else None
