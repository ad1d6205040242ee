"""How a Lambda handler module loads its code: with the cyclic garbage collector paused, and everything
loaded frozen out of its reach afterwards.

A cold start allocates a few hundred thousand long-lived objects (modules, classes, the GraphQL schema).
With the collector running, each full collection during the imports walks all of them again, and the
first request pays for another one soon after (creating a botocore client allocates enough to trigger
it): together about a sixth of the GraphQL function's cold start here. ``gc.freeze()`` moves what the
import made into the permanent generation, which later collections skip; the objects live as long as
the process anyway.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def loading_handler() -> Iterator[None]:
    """Wrap a handler module's imports and module-level set-up."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
