"""A function's declaration names its dependency groups; their sorted set names its layer."""

from __future__ import annotations

import pytest
from argus.consumers import CONSUMERS
from argus.functions import FUNCTIONS, GRAPHQL
from argus.platform.consumers import ConsumerSpec
from argus.platform.functions import FunctionSpec


def test_the_dependency_set_is_the_sorted_groups_or_base() -> None:
    spec = FunctionSpec(name="f", handler="argus.handlers.f.handler", dependencies=("table", "aws"))
    assert spec.dependency_set == "aws+table"
    assert FunctionSpec(name="g", handler="m.handler").dependency_set == "base"
    assert (spec.handler_module, spec.handler_function) == ("argus.handlers.f", "handler")


@pytest.mark.parametrize("groups", [("aws", "aws"), ("Media",), ("a+b",), ("",)])
def test_groups_must_be_distinct_extra_names(groups: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="dependency groups"):
        FunctionSpec(name="f", handler="m.handler", dependencies=groups)


def test_a_consumer_is_a_function_whose_runner_needs_the_table() -> None:
    spec = ConsumerSpec(name="probe", handler="m.handler", event_pattern={}, description="x")
    assert isinstance(spec, FunctionSpec)
    assert spec.dependencies == ("table",)
    assert all(set(consumer.dependencies) >= {"table"} for consumer in CONSUMERS)


def test_the_catalogue_holds_every_consumer_and_the_graphql_function_once() -> None:
    assert FUNCTIONS.count(GRAPHQL) == 1
    assert all(consumer in FUNCTIONS for consumer in CONSUMERS)
    assert len({f.handler for f in FUNCTIONS}) == len(FUNCTIONS)
