"""GraphiQL for the local stack, with no internet: its assets are the pinned npm packages of
package.json (graphiql, react, react-dom), copied by ``make dev`` into ``build/graphiql`` and served by
the local stack under ``/graphiql/``; the page (``page.html``, adapted from Strawberry's) names only
those, never a CDN. Police networks are often closed.

    python -m argus.local.graphiql [TARGET]    # copy the assets from node_modules (make dev does it)
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from argus.local.issuer import repository_root

URL_PREFIX = "/graphiql"
# served name → the file of an npm package (under node_modules) it is copied from
ASSETS = {
    "react.production.min.js": "react/umd/react.production.min.js",
    "react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.min.js": "graphiql/graphiql.min.js",
    "graphiql.min.css": "graphiql/graphiql.min.css",
}
PAGE = Path(__file__).with_name("page.html")
BUILD_HINT = "run `make dev` (or `make graphiql`) once: it copies GraphiQL from npm into build/graphiql"


def assets_dir() -> Path:
    """Where the local stack serves GraphiQL's assets from: ``$ARGUS_GRAPHIQL_DIR``, else
    ``build/graphiql`` in the repository."""
    configured = os.environ.get("ARGUS_GRAPHIQL_DIR")
    if configured:
        return Path(configured)
    return (repository_root() or Path.cwd()) / "build" / "graphiql"


def missing_assets(directory: Path | None = None) -> list[str]:
    where = directory or assets_dir()
    return [name for name in ASSETS if not (where / name).is_file()]


def page_html() -> str:
    """The GraphiQL page: local assets only, and the Authorization header ready to fill in. Without
    the assets, a page that says how to get them (the API itself works regardless)."""
    missing = missing_assets()
    if missing:
        return (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Argus GraphiQL</title></head>"
            "<body><h1>GraphiQL is not installed</h1>"
            f"<p>Its files ({', '.join(missing)}) are not in {assets_dir()}: {BUILD_HINT}.</p>"
            "<p>The GraphQL API answers at this address all the same (POST, with a bearer token).</p>"
            "</body></html>"
        )
    return PAGE.read_text().replace("{{ASSETS}}", URL_PREFIX)


def build(target: Path, node_modules: Path) -> list[Path]:
    """Copy the assets from ``node_modules`` into ``target``; raises FileNotFoundError naming what is
    missing (run ``npm ci`` first)."""
    absent = [path for path in ASSETS.values() if not (node_modules / path).is_file()]
    if absent:
        raise FileNotFoundError(f"not in {node_modules}: {', '.join(absent)} (run npm ci first)")
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for name, path in ASSETS.items():
        copied.append(Path(shutil.copyfile(node_modules / path, target / name)))
    return copied


def main(argv: list[str]) -> int:
    root = repository_root() or Path.cwd()
    target = Path(argv[0]) if argv else assets_dir()
    try:
        copied = build(target, root / "node_modules")
    except FileNotFoundError as missing:
        print(f"GraphiQL assets: {missing}", file=sys.stderr)
        return 1
    print(f"GraphiQL assets: {len(copied)} files in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
