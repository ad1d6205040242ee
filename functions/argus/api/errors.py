"""How errors leave the API: every error carries ``extensions.code``; unexpected exceptions become
INTERNAL with a generic message (logged with their stack, never returned)."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.error import GraphQLError
from graphql.language import (
    DocumentNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType as StrawberryOperationType

from argus.platform.errors import ArgusError, Unauthenticated
from argus.platform.observability import logger
from argus.platform.settings import get_settings

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


# Locally, what each reason a token is refused for means (production answers none of them).
TOKEN_REFUSALS = {
    "missing": "No bearer token: send the header Authorization: Bearer <token>.",
    "too_large": "The bearer token is larger than 16 KiB.",
    "malformed": "The bearer token is not a well-formed JWT.",
    "algorithm_not_allowed": "The bearer token is signed with an algorithm that is not allowed.",
    "unknown_key": "The bearer token names no signing key the issuer's JWKS holds.",
    "jwks_unavailable": "The issuer's JWKS could not be fetched.",
    "bad_signature": "The bearer token's signature does not verify.",
    "expired": "The bearer token has expired: sign a new one (argus token).",
    "not_yet_valid": "The bearer token is not valid yet (nbf).",
    "wrong_issuer": "The bearer token was issued by another issuer than this stack's.",
    "wrong_audience": "The bearer token is for another audience.",
    "missing_claim": "The bearer token lacks a required claim (exp, iss or sub).",
    "bad_claims": "The bearer token's exp, nbf, iat or sub claim has the wrong type.",
    "no_organisation": "The bearer token carries no valid organisation claim.",
    "invalid": "The bearer token is invalid.",
}


def reveals_token_refusals() -> bool:
    """Only the local stack tells a caller why their token was refused."""
    return get_settings().stage == "local"


def unauthenticated_extensions(error: Unauthenticated) -> dict[str, object]:
    """The extensions of an UNAUTHENTICATED error: the code alone, and in the local stack also
    ``details.reason`` (and what it means) to tell a developer why their token was refused."""
    extensions = error.extensions()
    if reveals_token_refusals():
        described = TOKEN_REFUSALS.get(error.reason, TOKEN_REFUSALS["invalid"])
        extensions["details"] = {**error.details, "reason": error.reason, "description": described}
    return extensions


def www_authenticate(error: Unauthenticated) -> str:
    """The ``WWW-Authenticate`` challenge of RFC 6750 §3: the realm alone when no token came, else
    ``invalid_token`` with a description (why, only in the local stack)."""
    if error.reason == "missing":
        return 'Bearer realm="argus"'
    described = TOKEN_REFUSALS[error.reason] if reveals_token_refusals() else TOKEN_REFUSALS["invalid"]
    return f'Bearer realm="argus", error="invalid_token", error_description="{described}"'


def request_error(message: str, reason: str, **details: object) -> GraphQLError:
    """An error in the request itself (found before any resolver runs): BAD_USER_INPUT with a stable
    ``details.reason`` and whatever else explains it (limits, counts, where)."""
    return GraphQLError(
        message, extensions={"code": "BAD_USER_INPUT", "details": {"reason": reason, **details}}
    )


def refuse_before_parsing(context: ExecutionContext, error: GraphQLError) -> None:
    """Answer the operation with ``error`` alone, before its document is parsed.

    Strawberry lets an extension stop an operation before parsing only by raising, and its streaming
    path (WebSocket) does not catch that. So the context gets an empty stand-in document of an
    operation type the transport allows (named as the request names its operation), which Strawberry
    does not parse, and the error as the pre-execution errors, which makes it skip validation and
    execution and answer with the error like any request error."""
    allowed = list(context.allowed_operations)
    kind = StrawberryOperationType.QUERY if StrawberryOperationType.QUERY in allowed else allowed[0]
    name = context.operation_name
    context.graphql_document = DocumentNode(
        definitions=(
            OperationDefinitionNode(
                operation=OperationType(kind.value),
                name=NameNode(value=name) if name is not None else None,
                variable_definitions=(),
                directives=(),
                selection_set=SelectionSetNode(selections=()),
            ),
        )
    )
    context.pre_execution_errors = [error]


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
    """Refuse unauthenticated operations before their document is parsed, and give every error a
    stable code."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context.context
        if getattr(context, "principal", None) is None:
            error = getattr(context, "auth_error", None) or Unauthenticated(
                "Authentication required: the bearer token is missing or invalid.", reason="missing"
            )
            refuse_before_parsing(
                self.execution_context,
                GraphQLError(error.message, extensions=unauthenticated_extensions(error)),
            )
        yield

    def on_execute(self) -> Iterator[None]:
        if self._subscription_over_http():
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
