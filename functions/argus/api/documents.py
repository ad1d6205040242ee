"""Parsing GraphQL documents within limits, and the cache of parsed and validated documents.

Strawberry's ParserCache and ValidationCache are ``functools.lru_cache`` by entry count: ten distinct
5 MB documents stayed in memory whole. Here one cache holds, per document text and set of limits, the
parsed document (or why it did not parse) and its validation errors, bounded by entry count *and* by an
estimate of the memory it holds. A parsed document takes far more memory than its text (measured with
graphql-core 3.3: about 370 bytes per token, so a 3.8 KB document of 1,800 tokens held 670 KB), so an
entry weighs its text plus ``BYTES_PER_TOKEN`` per token. Documents longer than the size limit never
reach the parser or the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from graphql import DocumentNode, GraphQLError, GraphQLSyntaxError
from graphql.language.parser import Parser

from argus.api.errors import request_error

BYTES_PER_TOKEN = 400
MAX_ENTRIES = 256


@dataclass
class Prepared:
    """A document as far as it got: parsed (``document``) or refused (``error``), and once validated
    under the entry's limits, its validation errors (empty when valid)."""

    document: DocumentNode | None
    error: GraphQLError | None
    weight: int
    validation_errors: tuple[GraphQLError, ...] | None = None


class DocumentCache:
    """A least-recently-used cache bounded by entries and by total weight (estimated bytes). Shared by
    the requests of a process, which may run on several threads (the local server), hence the lock."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, Prepared] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Prepared | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, entry: Prepared) -> None:
        """Keep ``entry`` (an entry heavier than the whole budget is not kept), evicting the least
        recently used entries until both bounds hold."""
        if entry.weight > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= previous.weight
            self._entries[key] = entry
            self._bytes += entry.weight
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.weight

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


def too_large(query: str, max_chars: int) -> GraphQLError | None:
    """Refuse (reason ``too_large``) a document longer than ``max_chars``: checked before the parser
    or the cache sees it, so such a document costs nothing but its length."""
    if len(query) <= max_chars:
        return None
    return request_error(
        f"The document has {len(query)} characters; at most {max_chars} are allowed. Send large "
        "values (boundaries, CSV) as variables.",
        "too_large",
        limit=max_chars,
    )


def parse_within(query: str, *, max_tokens: int) -> Prepared:
    """Parse ``query`` unless it has more than ``max_tokens`` tokens (graphql-core stops counting
    there) or is nested deeper than graphql-core's parser allows. Refusals carry BAD_USER_INPUT with
    reason ``too_many_tokens``, ``too_deep`` or ``syntax_error``. The weight counts the text, which the
    cache's key holds too."""
    parser = Parser(query, max_tokens=max_tokens)
    nested_too_deeply = False
    try:
        document = parser.parse_document()
    except GraphQLSyntaxError as syntax_error:
        return Prepared(None, _syntax(syntax_error, parser.token_count, max_tokens), len(query))
    except RecursionError:
        # The error is built after the except block, so the recursion's frames are not kept alive.
        nested_too_deeply = True
    if nested_too_deeply:
        error = request_error("The document is nested too deeply.", "too_deep")
        return Prepared(None, error, len(query))
    tokens = getattr(document, "token_count", len(query))
    return Prepared(document, None, len(query) + BYTES_PER_TOKEN * tokens)


def _syntax(error: GraphQLSyntaxError, counted: int, max_tokens: int) -> GraphQLError:
    if counted > max_tokens:
        message = f"The document has more than {max_tokens} tokens, the most allowed for your role."
        details: dict[str, object] = {"reason": "too_many_tokens", "limit": max_tokens}
    else:
        message, details = error.message, {"reason": "syntax_error"}
    return GraphQLError(
        message,
        source=error.source,
        positions=error.positions,
        extensions={"code": "BAD_USER_INPUT", "details": details},
    )
