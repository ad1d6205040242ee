"""The per-request GraphQL context: the verified principal (or why there is none) and DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info

from argus.api.loaders import Loaders
from argus.platform.auth.principal import Principal
from argus.platform.errors import Unauthenticated


@dataclass
class ArgusContext:
    principal: Principal | None = None
    auth_error: Unauthenticated | None = None
    loaders: Loaders = field(default_factory=Loaders)
    request: Any = None
    response: Any = None
    connection_params: dict[str, Any] | None = None


def principal_of(info: Info[ArgusContext, Any]) -> Principal:
    """The verified principal of the request; raises Unauthenticated when there is none."""
    principal = info.context.principal
    if principal is None:
        raise info.context.auth_error or Unauthenticated("Authentication required.")
    return principal
