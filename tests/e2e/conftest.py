"""End-to-end suite: one local stack (moto server, GraphQL over HTTP and WebSocket, poller) for the
session, on free ports, with its signing key in a temporary directory."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from argus.local.stack import LocalStack

from .support import GraphQLClient, running_stack, stop_all_stacks

E2E_DIR = Path(__file__).resolve().parent
# The local stack's poller imports consumer handlers by dotted path; tests/ is not a package, so
# its folder goes on sys.path and ``e2e.failing_consumer`` is importable whatever the import mode.
if str(E2E_DIR.parent) not in sys.path:
    sys.path.insert(0, str(E2E_DIR.parent))
_LAST_E2E = pytest.StashKey[str | None]()


@pytest.fixture(scope="session")
def argus_local_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The local stack's state directory (signing key, stack.json) — never the working tree."""
    path = tmp_path_factory.mktemp("argus-local")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARGUS_LOCAL_DIR", str(path))
        yield path


@pytest.fixture(scope="session")
def stack(argus_local_dir: Path) -> Iterator[LocalStack]:
    """The local stack shared by the suite, with the demo data seeded."""
    with running_stack(seed=True) as started:
        yield started


@pytest.fixture(scope="session")
def gql(stack: LocalStack) -> Iterator[GraphQLClient]:
    client = GraphQLClient(stack.graphql_url)
    yield client
    client.close()


@pytest.fixture
def fresh_stack(argus_local_dir: Path) -> Iterator[LocalStack]:
    """A stack of its own, for tests that watch every event of a stack (nothing from the tests sharing
    the session stack may arrive in between)."""
    with running_stack(seed=False) as started:
        yield started


@pytest.fixture
def fresh_gql(fresh_stack: LocalStack) -> Iterator[GraphQLClient]:
    client = GraphQLClient(fresh_stack.graphql_url)
    yield client
    client.close()


def _is_e2e(item: pytest.Item) -> bool:
    return E2E_DIR in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    e2e_items = [item for item in items if _is_e2e(item)]
    config.stash[_LAST_E2E] = e2e_items[-1].nodeid if e2e_items else None


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Stop the stacks (poller and server threads, moto) after the last e2e test, so that suites
    running later in the same session see neither their threads nor their environment."""
    if item.nodeid == item.config.stash.get(_LAST_E2E, None):
        stop_all_stacks()
