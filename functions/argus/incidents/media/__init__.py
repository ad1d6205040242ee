"""Incident media: presigned uploads into quarantine, metadata stripping, presigned downloads
(docs/incidents-media.md)."""
