"""Inputs of the organisations domain, as clients send them (plain data)."""

from __future__ import annotations

from typing import Any

from argus.platform.auth.principal import Role


def organisation_draft(**overrides: Any) -> dict[str, Any]:
    draft: dict[str, Any] = {
        "name": "Northshire Neighbourhood Watch",
        "slug": "northshire",
        "timezone": "Europe/London",
        "locale": "en-GB",
        "contacts": [{"kind": "email", "value": "watch@northshire.example", "label": "Coordinators"}],
    }
    draft.update(overrides)
    return draft


def staff_draft(number: int, *roles: Role, **overrides: Any) -> dict[str, Any]:
    draft: dict[str, Any] = {
        "sub": f"staff-{number:03d}",
        "display_name": f"Officer {number:03d}",
        "email": f"officer{number:03d}@northshire.example",
        "roles": [r.value for r in (roles or (Role.OFFICER,))],
    }
    draft.update(overrides)
    return draft
