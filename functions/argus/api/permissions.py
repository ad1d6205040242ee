"""Role and relation checks as Strawberry permissions (the service layer enforces the same rules)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from argus.platform import clock
from argus.platform.auth.principal import Principal, Role
from argus.platform.settings import get_settings


def is_current(principal: Principal) -> bool:
    """The principal's token would still be accepted now (its ``exp`` with the verifier's leeway). A
    request's principal always is; one held by a WebSocket connection stops being so."""
    if principal.expires_at is None:
        return True
    leeway = timedelta(seconds=get_settings().jwt_leeway)
    return clock.now() < principal.expires_at + leeway


class IsAuthenticated(BasePermission):
    """A verified caller whose token has not expired (a WebSocket connection keeps its principal
    after connecting: operations sent on it after the token's expiry are refused)."""

    message = "Authentication required: the bearer token is missing or invalid."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and is_current(principal)


class HasRole(BasePermission):
    """The caller holds at least one of the roles."""

    message = "You do not have a role that allows this."
    error_extensions = {"code": "FORBIDDEN"}

    def __init__(self, *roles: Role) -> None:
        self.roles = roles

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and principal.has_any_role(*self.roles)


RelationCheck = Callable[[Info, Any, dict[str, Any]], Awaitable[bool]]


class Relation(BasePermission):
    """A relation between the caller and the object: ``await check(info, source, arguments)`` (for
    instance "a member, captain or staff of this watch group")."""

    message = "You may not see or change this."
    error_extensions = {"code": "FORBIDDEN"}

    def __init__(self, check: RelationCheck) -> None:
        self.check = check

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:  # type: ignore[override]
        return info.context.principal is not None and await self.check(info, source, kwargs)


def requires(*roles: Role) -> list[FieldExtension]:
    """Field extensions: authenticated, and (when roles are given) holding one of them."""
    permissions: list[BasePermission] = [IsAuthenticated()]
    if roles:
        permissions.append(HasRole(*roles))
    return [PermissionExtension(permissions=permissions, fail_silently=False)]


def related(check: RelationCheck) -> list[FieldExtension]:
    """Field extensions: authenticated, and related to the object as ``check`` says."""
    return [PermissionExtension(permissions=[IsAuthenticated(), Relation(check)], fail_silently=False)]
