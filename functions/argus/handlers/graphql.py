"""Lambda "graphql": the Strawberry ASGI app through Mangum (API Gateway HTTP API v2 events)."""

from __future__ import annotations

from mangum import Mangum

from argus.api.graphql import create_app

handler = Mangum(create_app(graphql_ide=None), lifespan="off", api_gateway_base_path="/")
