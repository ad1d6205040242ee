"""Benchmarks of the Argus GraphQL Lambda: cold start and GraphQL overhead (``python -m benchmarks.run``)."""
