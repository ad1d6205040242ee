"""The local ASGI app: GraphQL (with GraphiQL and WebSocket subscriptions) and the issuer's JWKS."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute

from argus.api.graphql import create_app
from argus.local.issuer import LocalIssuer


def build_app(issuer: LocalIssuer) -> Starlette:
    graphql = create_app(graphql_ide="graphiql")

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
        ]
    )
