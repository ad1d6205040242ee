"""``argus token`` against running local stacks: it signs for the running stack from any directory, and
refuses a stack that has stopped or that does not trust this directory's key; the stack writes its
state before its server answers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from argus.cli import main
from argus.local.stack import LocalStack, free_port
from argus.local.state import write_state

from .support import ORGANISATION, GraphQLClient, create_org, running_stack

pytestmark = pytest.mark.e2e


def _token(capsys: pytest.CaptureFixture[str], org: str) -> tuple[int, str, str]:
    code = main(["token", "--org", org, "--role", "admin"])
    captured = capsys.readouterr()
    return code, captured.out.strip(), captured.err


def test_a_token_from_another_directory_is_for_the_running_stack(
    stack: LocalStack,
    gql: GraphQLClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    org = create_org(gql, stack, "cli")
    write_state(stack.state())  # as `argus dev` left it (a stack of another test may have replaced it)
    monkeypatch.chdir(tmp_path)
    code, token, err = _token(capsys, org.id)
    assert (code, err) == (0, "")
    assert gql.execute(ORGANISATION, token=token).ok()["organisation"]["id"] == org.id


def test_no_token_for_a_stack_that_has_stopped(
    argus_local_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "state"
    shutil.copytree(argus_local_dir, elsewhere)
    gone = f"http://127.0.0.1:{free_port()}"
    (elsewhere / "stack.json").write_text(json.dumps({"issuer": gone, "graphql": f"{gone}/graphql"}))
    monkeypatch.setenv("ARGUS_LOCAL_DIR", str(elsewhere))
    code, token, err = _token(capsys, "demo")
    assert (code, token) == (1, "")
    assert f"No local stack answers at {gone}" in err


def test_no_token_for_a_stack_that_does_not_trust_this_directorys_key(
    stack: LocalStack,
    argus_local_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given the running stack's state in a directory with a key of its own
    elsewhere = tmp_path / "state"
    elsewhere.mkdir()
    shutil.copy(argus_local_dir / "stack.json", elsewhere / "stack.json")
    monkeypatch.setenv("ARGUS_LOCAL_DIR", str(elsewhere))
    from argus.local.issuer import LocalIssuer

    LocalIssuer(stack.base_url)  # creates that directory's key
    # Then no token is signed with that key for the stack
    code, token, err = _token(capsys, "demo")
    assert (code, token) == (1, "")
    assert f"The stack at {stack.base_url} does not accept tokens" in err


def test_the_state_names_the_stack_before_its_server_answers(
    argus_local_dir: Path, stack: LocalStack
) -> None:
    seen: list[dict[str, Any]] = []
    start_server = LocalStack._start_server

    def start_and_look(self: LocalStack) -> None:
        start_server(self)  # returns once the server answers
        seen.append(json.loads((argus_local_dir / "stack.json").read_text()))

    with patch.object(LocalStack, "_start_server", start_and_look), running_stack(seed=False) as fresh:
        assert seen == [{**seen[0], "issuer": fresh.base_url, "graphql": fresh.graphql_url}]
    # And a stack that stops takes its state away
    assert not (argus_local_dir / "stack.json").exists()
    write_state(stack.state())
