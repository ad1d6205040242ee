"""Lambda "graphql": the Strawberry ASGI app through Mangum (API Gateway HTTP API v2 events)."""

from __future__ import annotations

from argus.platform.startup import loading_handler

with loading_handler():
    from mangum import Mangum

    from argus.api.graphql import create_app

    # Mangum hands the app one event at a time: nothing runs concurrently on its event loop.
    handler = Mangum(
        create_app(graphql_ide=None, concurrent=False), lifespan="off", api_gateway_base_path="/"
    )
