"""The ASGI apps: GraphQL (the merged schema of every domain) and the local routes."""
