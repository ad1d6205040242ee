"""Abuse limits of the GraphQL API, by role: document size and tokens (before and while parsing),
depth and aliases (validation, with Strawberry's own QueryDepthLimiter and MaxAliasesLimiter rules),
and the operation's estimated cost (``argus.api.cost``, with the request's variables, before anything
resolves). Every refusal is BAD_USER_INPUT with a stable ``details.reason``: ``too_large``,
``too_many_tokens``, ``too_deep``, ``too_many_aliases``, ``too_costly``, ``introspection_disabled``,
``control_character``.

Why these numbers. The deepest selection the schema offers is 5 levels (a captain's roster channels;
introspection fields are not counted), so 10 only ever stops abuse. A client asks for a handful of
aliases at most (two incidents side by side); staff tools and dashboards more. Tokens: the longest
query of the README has about 50, GraphiQL's introspection query about 180. Cost: a resident's map
(``incidentsGeoJson``, 100) plus a few small fields fits their 150; staff get two maps or a page of
100 watch groups with their blocks in one request (300), where 10 maps took 21 s locally. The document
size limit (32 K characters) is 20 times GraphiQL's introspection query and stops a document before the
parser allocates anything; large values belong in variables, bounded by the body limit at the edge.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    ValidationContext,
)
from graphql import (
    ExecutionResult as GraphQLExecutionResult,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension

from argus.api.cost import operation_cost
from argus.api.documents import MAX_ENTRIES, DocumentCache, Prepared, parse_within, too_large
from argus.api.errors import refuse_before_parsing, request_error
from argus.api.text import NoControlCharacters, check_variables
from argus.platform.auth.principal import Principal, Role
from argus.platform.settings import get_settings


@dataclass(frozen=True)
class Limits:
    depth: int
    aliases: int
    tokens: int
    cost: int


PUBLIC = Limits(depth=10, aliases=10, tokens=1_000, cost=150)
CAPTAIN = Limits(depth=10, aliases=20, tokens=1_500, cost=150)
PARTNER = Limits(depth=10, aliases=20, tokens=2_000, cost=200)
STAFF = Limits(depth=10, aliases=50, tokens=3_000, cost=300)

BY_ROLE: dict[Role, Limits] = {
    Role.RESIDENT: PUBLIC,
    Role.MEMBER: PUBLIC,
    Role.CAPTAIN: CAPTAIN,
    Role.PARTNER: PARTNER,
    Role.OFFICER: STAFF,
    Role.SUPERVISOR: STAFF,
    Role.ANALYST: STAFF,
    Role.ADMIN: STAFF,
}


def limits_for(principal: Principal | None) -> Limits:
    """The most generous limits of the caller's roles (PUBLIC for a caller without any)."""
    found = [BY_ROLE[role] for role in principal.roles if role in BY_ROLE] if principal else []
    return max(found, key=lambda limits: (limits.cost, limits.aliases, limits.tokens), default=PUBLIC)


def introspection_allowed() -> bool:
    """GraphiQL needs introspection; a deployment other than dev does not offer it."""
    return get_settings().stage in ("dev", "local")


@lru_cache(maxsize=1)
def document_cache() -> DocumentCache:
    """The process's cache of prepared documents (sized from the settings on first use)."""
    return DocumentCache(MAX_ENTRIES, get_settings().graphql_cache_bytes)


@lru_cache(maxsize=64)
def validation_rules(limits: Limits, introspection: bool) -> tuple[type[ASTValidationRule], ...]:
    """The rules added to graphql-core's: the same classes for the same limits, so that validation
    results can be cached."""
    [depth] = QueryDepthLimiter(max_depth=limits.depth).validation_rules
    [aliases] = MaxAliasesLimiter(max_alias_count=limits.aliases).validation_rules
    rules: list[type[ASTValidationRule]] = [
        _tagged(depth, "too_deep", limit=limits.depth),
        _tagged(aliases, "too_many_aliases", limit=limits.aliases),
        NoControlCharacters,
    ]
    if not introspection:
        rules.append(_tagged(NoSchemaIntrospectionCustomRule, "introspection_disabled"))
    return tuple(rules)


def _tagged(rule: type[ASTValidationRule], reason: str, **details: object) -> type[ASTValidationRule]:
    """``rule`` with its errors given code and reason. Strawberry's limiters report from their
    constructor through the context, graphql-core's custom rules through ``report_error``: both are
    covered."""
    extensions = {"code": "BAD_USER_INPUT", "details": {"reason": reason, **details}}

    def tag(error: GraphQLError) -> GraphQLError:
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            extensions=extensions,
        )

    class Tagged(rule):  # type: ignore[valid-type, misc]
        def __init__(self, context: ValidationContext) -> None:
            report = context.on_error
            context.on_error = lambda error: report(tag(error))  # type: ignore[method-assign]
            try:
                super().__init__(context)
            finally:
                context.on_error = report  # type: ignore[method-assign]

        def report_error(self, error: GraphQLError) -> None:
            super().report_error(tag(error))

    Tagged.__name__ = Tagged.__qualname__ = f"{rule.__name__}WithReason"
    return Tagged


class RequestLimits(SchemaExtension):
    """Applies the caller's limits to each operation; parses and validates through the bounded cache."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        self.limits = limits_for(getattr(context.context, "principal", None))
        self.introspection = introspection_allowed()
        self.prepared: Prepared | None = None
        context.validation_rules = context.validation_rules + validation_rules(
            self.limits, self.introspection
        )
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if context.graphql_document is None and query:
            refused = too_large(query, get_settings().graphql_max_document_chars)
            if refused is not None:
                refuse_before_parsing(context, refused)
            else:
                self.prepared = self._prepared(query)
                if self.prepared.document is not None:
                    context.graphql_document = self.prepared.document
                elif self.prepared.error is not None:
                    refuse_before_parsing(context, self.prepared.error)
        yield

    def _prepared(self, query: str) -> Prepared:
        key = (query, self.limits, self.introspection)
        documents = document_cache()
        prepared = documents.get(key)
        if prepared is None:
            prepared = parse_within(query, max_tokens=self.limits.tokens)
            documents.put(key, prepared)
        return prepared

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        prepared = self.prepared
        if prepared is not None and prepared.validation_errors is not None:
            context.pre_execution_errors = list(prepared.validation_errors)
        yield
        if prepared is not None and prepared.document is not None and prepared.validation_errors is None:
            prepared.validation_errors = tuple(context.pre_execution_errors or ())

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is None and context.graphql_document is not None:
            error = check_variables(context.variables) or self._too_costly()
            if error is not None:
                context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield

    def _too_costly(self) -> GraphQLError | None:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None
        operation = _operation(document.definitions, context.operation_name)
        if operation is None:
            return None
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        estimate = operation_cost(context.schema._schema, operation, fragments, context.variables)
        if estimate <= self.limits.cost:
            return None
        return request_error(
            f"The operation would cost about {estimate}; at most {self.limits.cost} is allowed for your "
            "role. Ask for fewer items (first) or fewer fields, or split it into several requests.",
            "too_costly",
            cost=estimate,
            limit=self.limits.cost,
        )


def _operation(definitions: Any, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)
