"""The ``argus`` command: ``argus dev`` runs the local stack, ``argus token`` prints a development token,
``argus schema`` exports the GraphQL schema."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from argus.local.issuer import repository_root
from argus.platform.auth.principal import KNOWN_ROLES

if TYPE_CHECKING:
    from argus.local.stack import LocalStack

# Beside the repository (what `../shared` means from its root), whatever the current directory.
_SHARED = (repository_root() or Path.cwd()).parent / "shared"
_SHARED_CHICAGO = _SHARED / "datasets" / "chicago-2016-extract" / "example.csv"


def _dev(args: argparse.Namespace) -> int:
    from argus.local.seed import DEMO_ADMIN_SUB, DEMO_ORG
    from argus.local.stack import LocalStack

    started = time.monotonic()
    stack = LocalStack(host=args.host, port=args.port, seed=not args.no_seed)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        stack.start()
        admin = None if args.no_seed else stack.token(DEMO_ORG, ["admin"], sub=DEMO_ADMIN_SUB, ttl=12 * 3600)
        print(banner(stack, time.monotonic() - started, admin), flush=True)
        if not args.no_seed:
            threading.Thread(target=_seed_in_background, name="argus-demo-data", daemon=True).start()
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping the local stack…", flush=True)
        stack.stop()
    return 0


def banner(stack: LocalStack, elapsed: float, demo_admin_token: str | None) -> str:
    """What ``argus dev`` prints once the stack answers: its addresses, and a demo admin token only
    when the demo organisation is seeded."""
    from argus.local.seed import DEMO_ORG

    if demo_admin_token is not None:
        tokens = f"""Demo organisation "{DEMO_ORG}" admin token (12 h) — in GraphiQL add the header
  {{"Authorization": "Bearer {demo_admin_token}"}}

More tokens:  argus token --org {DEMO_ORG} --role officer
              argus token --org {DEMO_ORG} --role captain --sub demo-captain-01"""
    else:
        tokens = """No demo data (--no-seed): there is no organisation yet. Sign a token for one of your own,
then create it with the createOrganisation mutation:
              argus token --org my-force --role admin
In GraphiQL add the header {"Authorization": "Bearer <token>"}"""
    return f"""
Argus local stack is up ({elapsed:.1f} s)

  GraphQL + GraphiQL   {stack.graphql_url}
  WebSocket            {stack.websocket_url}   (graphql-transport-ws)
  JWKS                 {stack.base_url}/.well-known/jwks.json
  AWS (moto server)    {stack.moto_url}

{tokens}
Stop with Ctrl-C.
"""


def _seed_in_background() -> None:
    """The demo watch programme, then the demo incidents (which fall in and around it)."""
    _seed_watch()
    _seed_incidents()


def _seed_watch() -> None:
    from argus.local.seed import DEMO_OFFICER_SUB, DEMO_ORG
    from argus.local.seed_watch import seed_watch_demo

    started = time.monotonic()
    print("Loading the demo watch programme (12 blocks, 12 captains, ~500 households)…", flush=True)
    try:
        group_id = seed_watch_demo(DEMO_ORG, DEMO_OFFICER_SUB)
    except Exception as exc:  # noqa: BLE001 - the stack stays usable without the demo programme
        print(f"The demo watch programme could not be loaded: {exc}", flush=True)
        return
    if group_id:
        elapsed = time.monotonic() - started
        print(f"Demo watch programme ready in {elapsed:.1f} s (group {group_id}).", flush=True)


def _seed_incidents() -> None:
    from argus.local.seed import DEMO_OFFICER_SUB, DEMO_ORG
    from argus.local.seed_incidents import WEEKS, seed_incidents_demo

    started = time.monotonic()
    print(
        f"Importing the demo incidents of the last {WEEKS} weeks (they show on the map as they arrive)…",
        flush=True,
    )
    try:
        report = seed_incidents_demo(DEMO_ORG, DEMO_OFFICER_SUB)
    except Exception as exc:  # noqa: BLE001 - the stack stays usable without the demo incidents
        print(f"The demo incidents could not be imported: {exc}", flush=True)
        return
    if report.imported:
        elapsed = time.monotonic() - started
        print(f"Demo incidents ready in {elapsed:.1f} s ({report.imported} imported).", flush=True)


def _token(args: argparse.Namespace) -> int:
    from argus.local.issuer import LocalIssuer
    from argus.local.state import NoRunningStack, running_issuer

    roles = args.role or ["member"]
    unknown = sorted(set(roles) - KNOWN_ROLES)
    if unknown:
        print(
            f"unknown role(s): {', '.join(unknown)}; known: {', '.join(sorted(KNOWN_ROLES))}", file=sys.stderr
        )
        return 2
    issuer = args.issuer
    if issuer is None:
        # The running stack's issuer, once it has shown that it trusts this directory's key.
        try:
            issuer = running_issuer()
        except NoRunningStack as refusal:
            print(f"argus token: {refusal}", file=sys.stderr)
            return 1
    print(LocalIssuer(issuer).token(args.org, roles, sub=args.sub, ttl=args.ttl))
    return 0


def _patterns_evaluate(args: argparse.Namespace) -> int:
    from argus.patterns import evaluation

    print(evaluation.report(evaluation.synthetic(seed=args.seed)))
    chicago = args.chicago
    if chicago.exists():
        print()
        print(evaluation.report(evaluation.chicago(chicago)))
    else:
        print(f"\n(the Chicago sample {chicago} is not here; pass --chicago PATH)")
    print()
    print(evaluation.report_planted(evaluation.planted_categories()))
    print()
    print(evaluation.report_random_cubes(evaluation.random_cubes()))
    print()
    print(evaluation.report_random_maps(evaluation.random_maps()))
    return 0


def _schema(args: argparse.Namespace) -> int:
    from argus.api.export import export_schema

    export_schema(args.path)
    print(f"wrote {args.path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="argus", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    dev = commands.add_parser("dev", help="run the local stack")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=8000)
    dev.add_argument("--no-seed", action="store_true", help="do not create the demo organisation")
    dev.set_defaults(run=_dev)

    token = commands.add_parser("token", help="print a signed development token (local stack only)")
    token.add_argument("--org", required=True)
    token.add_argument("--role", action="append", help="repeat for several roles")
    token.add_argument("--sub", default=None, help="subject (default: a new id)")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    token.add_argument("--issuer", default=None, help="issuer URL (default: the running local stack)")
    token.set_defaults(run=_token)

    patterns = commands.add_parser("patterns", help="crime-pattern tools")
    pattern_commands = patterns.add_subparsers(dest="patterns_command", required=True)
    evaluate = pattern_commands.add_parser(
        "evaluate",
        help="PAI and PEI at 1%% and 5%% of the study area, emerging hot spot categories on planted and "
        "random cubes, false discoveries on random maps",
    )
    evaluate.add_argument("--seed", type=int, default=7, help="seed of the synthetic city")
    evaluate.add_argument(
        "--chicago",
        type=Path,
        default=_SHARED_CHICAGO,
        help="a City of Chicago crimes extract (CSV; default: the shared sample beside the repository)",
    )
    evaluate.set_defaults(run=_patterns_evaluate)

    schema = commands.add_parser("schema", help="export the GraphQL schema")
    schema.add_argument("path", nargs="?", default="schema/schema.graphql")
    schema.set_defaults(run=_schema)

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
