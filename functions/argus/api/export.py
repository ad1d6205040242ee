"""Export the GraphQL schema as SDL: ``python -m argus.api.export [path]``.

``schema/schema.graphql`` is the committed API contract; a contract test fails when it drifts from
the code, and this command regenerates it."""

from __future__ import annotations

import sys
from pathlib import Path

SCHEMA_FILE = Path("schema") / "schema.graphql"


def default_path() -> Path:
    """``schema/schema.graphql`` of the checkout this package is installed from (editable install),
    else relative to the working directory."""
    root = Path(__file__).resolve().parents[3]
    return root / SCHEMA_FILE if (root / "pyproject.toml").is_file() else SCHEMA_FILE


def schema_sdl() -> str:
    """The SDL of ``argus.api.graphql.schema`` as Strawberry prints it, ending with one newline."""
    from strawberry.printer import print_schema

    from argus.api.graphql import schema

    return print_schema(schema).rstrip("\n") + "\n"


def export_schema(path: str | Path | None = None) -> Path:
    """Write the SDL to ``path`` (default: ``default_path()``; parent directories are created);
    return the path written."""
    target = Path(path) if path is not None else default_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(schema_sdl(), encoding="utf-8", newline="\n")
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        print("usage: python -m argus.api.export [path]", file=sys.stderr)
        return 2
    written = export_schema(args[0] if args else None)
    print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
