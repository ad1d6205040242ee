"""Incidents: reports, their lifecycle and timeline, maps, and imports of police records."""
