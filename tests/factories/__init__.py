"""Builders of test inputs (principals, drafts, CloudEvents, stream and SQS records) shared by the suites."""
