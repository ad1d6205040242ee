"""The audit trail: every event of an organisation, recorded by the audit consumer."""
