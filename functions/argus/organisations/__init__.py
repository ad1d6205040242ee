"""Organisations: the tenants (police forces and agencies), their settings and their staff."""
