"""The committed GraphQL contract (schema/schema.graphql) matches the code."""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

from argus.api.export import export_schema, main, schema_sdl

from tests.contract.conftest import REPO_ROOT

SCHEMA_FILE = REPO_ROOT / "schema" / "schema.graphql"
FIX = "Run `python -m argus.api.export` from the repository root and commit schema/schema.graphql."


def test_the_committed_schema_matches_the_code() -> None:
    # Given the committed SDL and the SDL of the schema in code
    assert SCHEMA_FILE.is_file(), f"schema/schema.graphql is missing. {FIX}"
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    current = schema_sdl()
    # Then they are the same
    if committed != current:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(True),
                current.splitlines(True),
                "schema/schema.graphql (committed)",
                "schema_sdl() (code)",
                n=2,
            )
        )
        raise AssertionError(f"The GraphQL schema drifted from schema/schema.graphql. {FIX}\n{diff}")


def test_the_sdl_ends_with_exactly_one_newline() -> None:
    sdl = schema_sdl()
    assert sdl.endswith("}\n") and not sdl.endswith("\n\n")


def test_the_sdl_names_the_root_operations() -> None:
    sdl = schema_sdl()
    for root in ("type Query {", "type Mutation {", "type Subscription {"):
        assert root in sdl


def test_export_schema_writes_the_sdl(tmp_path: Path) -> None:
    target = export_schema(tmp_path / "nested" / "schema.graphql")
    assert target.read_text(encoding="utf-8") == schema_sdl()


def test_main_writes_to_the_given_path_and_refuses_extra_arguments(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    assert main([str(target)]) == 0
    assert target.read_bytes() == schema_sdl().encode("utf-8")
    assert main(["a", "b"]) == 2


def test_the_module_runs_as_a_command(tmp_path: Path) -> None:
    # Given the documented command, with an explicit path
    target = tmp_path / "out.graphql"
    # When it runs in a fresh interpreter
    completed = subprocess.run(
        [sys.executable, "-m", "argus.api.export", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Then it succeeds and writes the SDL
    assert completed.returncode == 0, completed.stderr
    assert target.read_text(encoding="utf-8") == schema_sdl()
