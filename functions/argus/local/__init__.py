"""The local stack: the whole system on one machine without an AWS account (DESIGN.md §6).
It exists only for development and tests and is never deployed."""
