"""A schema of the incidents domain alone, built like argus.api.graphql's (its error handling), so the
GraphQL surface is tested before the lead merges Query/Mutation/Subscription into the app's schema."""

from __future__ import annotations

from typing import Any

from argus.api.errors import ArgusErrors
from argus.api.graphql import ArgusSchema
from argus.incidents.schema import Mutation, Query


def schema_with(*, subscription: Any = None) -> ArgusSchema:
    return ArgusSchema(query=Query, mutation=Mutation, subscription=subscription, extensions=[ArgusErrors])
