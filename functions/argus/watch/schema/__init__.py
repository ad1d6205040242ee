"""GraphQL of the watch domain: output types, input types, and the root fields merged into the API."""

from argus.watch.schema.operations import Mutation, Query, Subscription

__all__ = ["Mutation", "Query", "Subscription"]
