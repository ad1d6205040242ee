"""Cross-cutting platform code shared by every domain: settings, errors, ids, clock, identity,
tenancy, the single table, the transactional outbox and CloudEvents."""
