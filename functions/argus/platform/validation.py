"""Domain models and turning input into them: pydantic validation errors become BAD_USER_INPUT with
the offending fields named as clients name them (GraphQL's camelCase: ``privacy.minCellSize``, not the
models' ``privacy.min_cell_size``)."""

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
            ".".join(_client_name(p) for p in err["loc"]) or "input": err["msg"].removeprefix("Value error, ")
            for err in exc.errors()
        }
        summary = "; ".join(f"{name}: {msg}" for name, msg in fields.items())
        raise BadUserInput(f"Invalid input: {summary}", details={"fields": fields}) from None


def _client_name(part: str | int) -> str:
    """A part of a field's location as the API's clients name it: snake_case becomes camelCase (as
    Strawberry names fields and arguments); list indices stay numbers."""
    if isinstance(part, int):
        return str(part)
    head, *rest = part.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)
