"""Turning input into domain models: pydantic validation errors become BAD_USER_INPUT with the
offending fields named."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from argus.platform.errors import BadUserInput

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: dict[str, Any]) -> M:
    """Build ``model`` from ``data``; raise BadUserInput listing each invalid field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = {
            ".".join(str(p) for p in err["loc"]) or "input": err["msg"].removeprefix("Value error, ")
            for err in exc.errors()
        }
        summary = "; ".join(f"{name}: {msg}" for name, msg in fields.items())
        raise BadUserInput(f"Invalid input: {summary}", details={"fields": fields}) from None
