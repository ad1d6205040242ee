"""In-memory fakes shared by the test suites (no sockets, no AWS)."""
