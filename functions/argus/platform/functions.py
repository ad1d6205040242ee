"""A Lambda function of the ``argus`` package, declared once: its handler and what it ships beside the
code asset. CDK gives each function the dependency layer of its set, ``layers/build.py`` builds one layer
per distinct set (all from one lock), and tests/infra checks that each handler imports with exactly its
layer on the path.

A function's dependencies are the ``[project] dependencies`` of pyproject.toml (what the platform
imports, so every function) plus the optional-dependency groups it names. Nothing in its layer is
shipped for nothing: what the handler loads only on first use rather than when its module is imported
is named in ``lazy_imports`` (the test imports those after the handler)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The set (and layer) of a function that names no group.
BASE_SET = "base"
# Joins a set's group names; never part of one (pyproject normalises extras to [a-z0-9-]).
SET_SEPARATOR = "+"
_GROUP = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True, kw_only=True)
class FunctionSpec:
    """One function: its name, its handler and the dependency groups its handler imports."""

    name: str
    handler: str  # dotted path of the Lambda handler, e.g. "argus.handlers.graphql.handler"
    # Optional-dependency groups of pyproject.toml that the handler imports, beside [project] dependencies.
    dependencies: tuple[str, ...] = ()
    # Modules the handler imports on first use instead of at load (each names why part of its layer is
    # there): "boto3" for argus.platform.aws's clients, "argus.geo.index" for h3, numpy and shapely, ...
    lazy_imports: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        bad = [group for group in self.dependencies if not _GROUP.fullmatch(group)]
        if bad or len(set(self.dependencies)) != len(self.dependencies):
            raise ValueError(f"function {self.name}: dependency groups must be distinct extras, got {bad}")

    @property
    def dependency_set(self) -> str:
        """The name of the function's dependency set, which names its layer: its groups, sorted and joined
        by ``+`` (``base`` without any). Functions naming the same groups share a layer."""
        return SET_SEPARATOR.join(sorted(self.dependencies)) or BASE_SET

    @property
    def handler_module(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def handler_function(self) -> str:
        return self.handler.rsplit(".", 1)[1]
