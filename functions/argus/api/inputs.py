"""Strawberry input objects → plain data for the domains' own validation."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry


def plain(value: Any) -> Any:
    """Lists, enums and input objects turned into lists, values and dicts; UNSET fields left out."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "__strawberry_definition__"):
        return {k: plain(v) for k, v in vars(value).items() if v is not strawberry.UNSET}
    return value
