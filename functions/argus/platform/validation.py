"""Domain models and turning input into them: pydantic validation errors become BAD_USER_INPUT with
the offending fields named."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from argus.platform.errors import BadUserInput


class DomainModel(BaseModel):
    """The base of every pydantic model of Argus. Validators are built when a model is first used, not
    when its module is imported: a Lambda loads every domain's models but one request uses a few, so
    building them all up front was a measurable part of the GraphQL function's cold start."""

    model_config = ConfigDict(defer_build=True)


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
