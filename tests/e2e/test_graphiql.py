"""GraphiQL works with no internet: the page the local stack serves references no external host, every
asset it loads is served by the stack itself, and the page shows where the Authorization header goes."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from argus.local import graphiql
from argus.local.issuer import repository_root
from argus.local.stack import LocalStack

pytestmark = pytest.mark.e2e

EXTERNAL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
REFERENCES = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.fixture(scope="module")
def assets() -> Path:
    """The stack's GraphiQL assets, copied from node_modules as `make graphiql` does if not there yet."""
    if graphiql.missing_assets():
        root = repository_root()
        assert root is not None
        try:
            graphiql.build(graphiql.assets_dir(), root / "node_modules")
        except FileNotFoundError as missing:
            pytest.fail(f"{missing}; {graphiql.BUILD_HINT}")
    return graphiql.assets_dir()


def test_the_graphiql_page_loads_everything_from_the_stack(stack: LocalStack, assets: Path) -> None:
    page = httpx.get(stack.graphql_url, headers={"accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    # No external host anywhere in the page
    assert not EXTERNAL.findall(html), EXTERNAL.findall(html)
    assert "unpkg" not in html and "cdn" not in html.lower()
    # Every asset it references is served by the stack
    referenced = REFERENCES.findall(html)
    assert {Path(r).name for r in referenced} == set(graphiql.ASSETS), referenced
    for reference in referenced:
        assert reference.startswith("/"), reference
        asset = httpx.get(f"{stack.base_url}{reference}", timeout=10)
        assert asset.status_code == 200 and asset.content, reference
        if reference.endswith(".css"):  # fonts and images inline, nothing fetched from elsewhere
            assert "@import" not in asset.text and not re.search(r"url\(\s*['\"]?(?:https?:)?//", asset.text)
    # And it says where the token goes
    assert '"Authorization": "Bearer <' in html and "argus token" in html


def test_without_its_assets_the_page_says_how_to_get_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGUS_GRAPHIQL_DIR", str(tmp_path))
    html = graphiql.page_html()
    assert "make dev" in html and not EXTERNAL.findall(html)
