"""Role and relation checks as Strawberry permissions (the service layer enforces the same rules)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from argus.platform.auth.principal import Principal, Role


class IsAuthenticated(BasePermission):
    message = "Authentication required: the bearer token is missing or invalid."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal is not None


class HasRole(BasePermission):
    """The caller holds at least one of the roles."""

    message = "You do not have a role that allows this."
    error_extensions = {"code": "FORBIDDEN"}

    def __init__(self, *roles: Role) -> None:
        self.roles = roles

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and principal.has_any_role(*self.roles)


class Relation(BasePermission):
    """A relation between the caller and the object: ``check(principal, source, arguments)``."""

    message = "You may not see or change this."
    error_extensions = {"code": "FORBIDDEN"}

    def __init__(self, check: Callable[[Principal, Any, dict[str, Any]], bool]) -> None:
        self.check = check

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and self.check(principal, source, kwargs)


def requires(*roles: Role) -> list[FieldExtension]:
    """Field extensions: authenticated, and (when roles are given) holding one of them."""
    permissions: list[BasePermission] = [IsAuthenticated()]
    if roles:
        permissions.append(HasRole(*roles))
    return [PermissionExtension(permissions=permissions, fail_silently=False)]


def related(check: Callable[[Principal, Any, dict[str, Any]], bool]) -> list[FieldExtension]:
    return [PermissionExtension(permissions=[IsAuthenticated(), Relation(check)], fail_silently=False)]
