"""Text that no input of any domain may hold, refused for every operation at the API's edge: control
characters other than tab, line feed and carriage return (NUL, escape, C1 controls...) and lone
surrogates (which no store can encode), in variables and in string literals of the document alike.

Tab, line feed and carriage return are allowed here because free text (a description, a note) may hold
them; the domains' name types collapse every run of whitespace into one space, so a name never keeps
one. Input nested deeper than ``MAX_INPUT_DEPTH`` is refused by the same walk: nothing Argus takes is
that deep (a GeoJSON MultiPolygon inside an input object is 6 levels), and deeper input only makes
every later step recursive work.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule

from argus.api.errors import request_error

MAX_INPUT_DEPTH = 32

# C0 controls but tab, LF and CR; DEL and the C1 controls; surrogates (only lone ones reach a str).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def forbidden_character(text: str) -> str | None:
    """The first character of ``text`` that no input may hold, as ``U+XXXX``, or None."""
    found = _FORBIDDEN.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def control_character_error(where: str, character: str) -> GraphQLError:
    # The value itself is never repeated: it may be personal data.
    return request_error(
        f"Text may not contain control characters other than tab and line breaks; {where} holds {character}.",
        "control_character",
        field=where,
        character=character,
    )


def check_variables(variables: Mapping[str, Any] | None) -> GraphQLError | None:
    """The first problem with the request's variables (a forbidden character, or nesting deeper than
    MAX_INPUT_DEPTH), or None. Iterative: a deep value cannot exhaust the stack."""
    if not variables:
        return None
    pending: list[tuple[Any, str, int]] = [(value, name, 1) for name, value in variables.items()]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, str):
            if (character := forbidden_character(value)) is not None:
                return control_character_error(path, character)
        elif isinstance(value, (dict, list)):
            if depth >= MAX_INPUT_DEPTH:
                return request_error(
                    f"Input may be nested at most {MAX_INPUT_DEPTH} levels deep; {path} is deeper.",
                    "too_deep",
                    field=path,
                    limit=MAX_INPUT_DEPTH,
                )
            if isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(key, str) and (character := forbidden_character(key)) is not None:
                        return control_character_error(path, character)
                    pending.append((item, f"{path}.{key}", depth + 1))
            else:
                pending.extend((item, f"{path}.{index}", depth + 1) for index, item in enumerate(value))
    return None


class NoControlCharacters(ValidationRule):
    """String literals of the document (escapes such as ``\\u0000`` are decoded by then)."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        character = forbidden_character(node.value)
        if character is not None:
            error = control_character_error("a string in the document", character)
            self.report_error(GraphQLError(error.message, nodes=[node], extensions=error.extensions))
