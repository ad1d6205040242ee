"""How errors leave the API: every error carries ``extensions.code``; unexpected exceptions become
INTERNAL with a generic message (logged with their stack, never returned)."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult

from argus.platform.errors import ArgusError, Unauthenticated
from argus.platform.observability import logger

_KNOWN_CODES = {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "CONFLICT", "INTERNAL"}


def _rebuild(
    error: GraphQLError, message: str, code: str, extra: dict[str, object] | None = None
) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={**(extra or {}), "code": code},
    )


def is_request_error(error: GraphQLError) -> bool:
    """Syntax, validation and variable-coercion errors: the request itself is wrong."""
    original = error.original_error
    return original is None or (isinstance(original, GraphQLError) and error.path is None)


def with_code(error: GraphQLError) -> GraphQLError:
    """The error as clients see it: a safe message and a stable ``extensions.code``."""
    original = error.original_error
    if isinstance(original, ArgusError):
        return _rebuild(error, original.message, original.code, original.extensions())
    code = (error.extensions or {}).get("code")
    if is_request_error(error):
        # Also an error already given its code (and details) by an earlier pass: kept as it is.
        extra = dict(error.extensions or {})
        return _rebuild(error, error.message, code if code in _KNOWN_CODES else "BAD_USER_INPUT", extra)
    if code in _KNOWN_CODES:
        # Raised by a permission class with its own code.
        return _rebuild(error, error.message, str(code))
    logger.error("unexpected error in resolver", exc_info=original, extra={"path": error.path})
    return _rebuild(error, "Internal error.", "INTERNAL")


def _process(result: object) -> None:
    errors = getattr(result, "errors", None)
    if errors:
        result.errors = [with_code(e) for e in errors]  # type: ignore[attr-defined]


class ArgusErrors(SchemaExtension):
    """Refuse unauthenticated operations before execution, and give every error a stable code."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if getattr(context, "principal", None) is None:
            error = getattr(context, "auth_error", None) or Unauthenticated(
                "Authentication required: the bearer token is missing or invalid."
            )
            self.execution_context.result = GraphQLExecutionResult(
                data=None, errors=[GraphQLError(error.message, extensions=error.extensions())]
            )
        elif self._subscription_over_http():
            self.execution_context.result = GraphQLExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "Subscriptions are served over WebSocket (graphql-transport-ws) at the same path.",
                        extensions={"code": "BAD_USER_INPUT"},
                    )
                ],
            )
        yield

    def _subscription_over_http(self) -> bool:
        from strawberry.types.graphql import OperationType

        request = getattr(self.execution_context.context, "request", None)
        scope = getattr(request, "scope", None) or {}
        return bool(
            self.execution_context.operation_type == OperationType.SUBSCRIPTION
            and scope.get("type") == "http"
        )

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, (GraphQLExecutionResult, ExecutionResult)):
            _process(result)
        elif (initial := getattr(result, "initial_result", None)) is not None:
            _process(initial)
