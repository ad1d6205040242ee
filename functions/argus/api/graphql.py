"""The GraphQL API: one Strawberry schema merged from every domain's ``schema.py``, served as an
ASGI app (through Mangum on Lambda, uvicorn locally)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal

import anyio
import strawberry
from graphql import GraphQLError
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.tools import merge_types
from strawberry.types import ExecutionResult

from argus.api import http
from argus.api.context import ArgusContext
from argus.api.enums import use_enum_lookup
from argus.api.errors import ArgusErrors, with_code
from argus.api.limits import RequestLimits
from argus.api.scalars import SCALAR_OVERRIDES
from argus.audit import schema as audit_schema
from argus.incidents import schema as incidents_schema
from argus.organisations import schema as organisations_schema
from argus.patterns import schema as patterns_schema
from argus.platform.auth.verifier import get_verifier
from argus.platform.errors import ERROR_CODES, Unauthenticated
from argus.watch import schema as watch_schema

Query = merge_types(
    "Query",
    (
        organisations_schema.Query,
        watch_schema.Query,
        incidents_schema.Query,
        patterns_schema.Query,
        audit_schema.Query,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        organisations_schema.Mutation,
        watch_schema.Mutation,
        incidents_schema.Mutation,
        patterns_schema.Mutation,
    ),
)
Subscription = merge_types(
    "Subscription",
    (organisations_schema.Subscription, watch_schema.Subscription, incidents_schema.Subscription),
)


class ArgusSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Give every error its stable code as soon as Strawberry reports it: request errors found
        before execution (a syntax error answered from the parser cache skips the extensions' result
        hook) and subscription results (never seen by ArgusErrors.on_operation). Expected errors are
        not logged as failures; unexpected ones are logged once, with their stack, by ``with_code``."""
        for index, error in enumerate(errors):
            # Subscription results never pass through ArgusErrors.on_operation: code them here too.
            if (error.extensions or {}).get("code") not in ERROR_CODES or error.original_error is not None:
                errors[index] = with_code(error)


schema = ArgusSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=[ArgusErrors, RequestLimits],
    scalar_overrides=SCALAR_OVERRIDES,  # type: ignore[arg-type]
)
use_enum_lookup(schema)


async def authenticate(authorization: str | None, context: ArgusContext, *, concurrent: bool = True) -> None:
    """Verify the bearer token. A server with ``concurrent`` requests verifies off the event loop when the
    JWKS may have to be fetched over HTTP (in the local stack the JWKS is served by this very server).
    On Lambda, Mangum runs one event at a time: nothing else could use the loop meanwhile, so the fetch
    happens in place and the cold start does not pay for a worker thread."""
    verifier = get_verifier()
    try:
        if not concurrent or verifier.can_verify_offline(authorization):
            # The usual case: the key is cached, so verifying is CPU work only (no thread hand-off).
            context.principal = verifier.verify_header(authorization)
        else:
            context.principal = await anyio.to_thread.run_sync(verifier.verify_header, authorization)
        context.auth_error = None
    except Unauthenticated as exc:
        context.principal, context.auth_error = None, exc


class ArgusGraphQL(GraphQL[ArgusContext, None]):
    def __init__(
        self, *args: Any, concurrent: bool = True, ide_html: Callable[[], str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.concurrent = concurrent
        self._ide_html = ide_html

    @property
    def graphql_ide_html(self) -> str:
        """The IDE page: the host's own (the local stack's serves its assets itself), else Strawberry's."""
        return self._ide_html() if self._ide_html is not None else super().graphql_ide_html

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await http.serve(self.run, scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def get_context(self, request: Any, response: Any) -> ArgusContext:
        """The request's context. An HTTP request without a valid token is refused here, before its
        body is decoded or its document parsed (GraphiQL's page itself needs no token)."""
        context = ArgusContext(request=request, response=response)
        if request.scope["type"] == "http":
            await authenticate(request.headers.get("authorization"), context, concurrent=self.concurrent)
            if context.principal is None and not self._is_ide_page(request):
                error = context.auth_error or Unauthenticated(
                    "Authentication required: the bearer token is missing or invalid.", reason="missing"
                )
                raise http.unauthenticated(error)
        return context

    def _is_ide_page(self, request: Any) -> bool:
        return bool(self.graphql_ide) and self.should_render_graphql_ide(self.request_adapter_class(request))

    def parse_json(self, data: str | bytes) -> Any:
        return http.decode_body(data)

    def decode_json(self, data: str | bytes) -> object:
        return http.decode_message(data)

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """One operation. A server with concurrent requests runs it on a worker thread with an event
        loop of its own: resolvers are synchronous (boto3), and on the server's loop one slow
        operation held up every other request, health checks and the JWKS included."""
        operation = super().execute_single(*args, **kwargs)
        if not self.concurrent:
            return await operation
        result: ExecutionResult = await anyio.to_thread.run_sync(asyncio.run, operation)
        return result

    async def on_ws_connect(self, context: ArgusContext) -> Any:  # type: ignore[override]
        params = context.connection_params or {}
        authorization = (
            params.get("Authorization") or params.get("authorization") if isinstance(params, dict) else None
        )
        await authenticate(authorization, context)
        if context.principal is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        return None


def create_app(
    graphql_ide: Literal["graphiql"] | None = "graphiql",
    *,
    concurrent: bool = True,
    ide_html: Callable[[], str] | None = None,
) -> ArgusGraphQL:
    """The ASGI app. ``concurrent=False`` for a host that serves one request at a time (Lambda);
    ``ide_html`` gives the IDE page (default: Strawberry's, which loads GraphiQL from a CDN)."""
    return ArgusGraphQL(
        schema,
        graphql_ide=graphql_ide,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        allow_queries_via_get=False,
        concurrent=concurrent,
        ide_html=ide_html,
    )
