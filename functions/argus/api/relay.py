"""Relay-style connections: ``first``/``after`` arguments, ``nodes`` and ``pageInfo``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from argus.platform.pagination import Page

T = TypeVar("T")


@strawberry.type
class PageInfo:
    end_cursor: str | None
    has_next_page: bool


@strawberry.type
class Connection(Generic[T]):
    nodes: list[T]
    page_info: PageInfo


def connection(page: Page[Any], convert: Callable[[Any], T]) -> Connection[T]:
    return Connection(
        nodes=[convert(item) for item in page.items],
        page_info=PageInfo(end_cursor=page.end_cursor, has_next_page=page.has_next_page),
    )
