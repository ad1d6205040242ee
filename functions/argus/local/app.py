"""The local ASGI app: GraphQL (with GraphiQL, served from the project's own assets, and WebSocket
subscriptions) and the issuer's JWKS."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from argus.api.graphql import create_app
from argus.local import graphiql as graphiql_assets
from argus.local.issuer import LocalIssuer


def build_app(issuer: LocalIssuer) -> Starlette:
    graphql = create_app(graphql_ide="graphiql", ide_html=graphiql_assets.page_html)

    async def jwks(_: Request) -> Response:
        return JSONResponse(issuer.jwks(), headers={"Cache-Control": "max-age=300"})

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def home(_: Request) -> Response:
        return RedirectResponse("/graphql")

    return Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", health),
            Route("/.well-known/jwks.json", jwks),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Mount(
                graphiql_assets.URL_PREFIX,
                StaticFiles(directory=graphiql_assets.assets_dir(), check_dir=False),
                name="graphiql",
            ),
        ]
    )
