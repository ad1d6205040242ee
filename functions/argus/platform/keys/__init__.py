"""Every PK/SK/GSI key string of the single table is built here and nowhere else.

Access patterns: see the table at the end of docs/decisions.md (keep the two in step).
"""

from __future__ import annotations

from argus.platform.tenancy import tenant_prefix


def org_pk(org_id: str) -> str:
    return tenant_prefix(org_id) + "PROFILE"


ORG_SK = "ORG"
JURISDICTION_SK = "JURISDICTION"
ORGS_INDEX_PK = "ORGS"


def slug_pk(slug: str) -> str:
    # Slugs are unique across the platform, so their reservation sits outside any tenant.
    return f"SLUG#{slug}"


SLUG_SK = "SLUG"


def user_pk(org_id: str, sub: str) -> str:
    return tenant_prefix(org_id) + f"USER#{sub}"


USER_SK = "PROFILE"


def staff_index_pk(org_id: str) -> str:
    return tenant_prefix(org_id) + "STAFF"


def staff_index_sk(role: str, display_name: str, sub: str) -> str:
    return f"{role}#{display_name.casefold()}#{sub}"


def outbox_pk(org_id: str, event_id: str) -> str:
    return tenant_prefix(org_id) + f"OUTBOX#{event_id}"


OUTBOX_SK = "EVENT"


def audit_pk(org_id: str) -> str:
    return tenant_prefix(org_id) + "AUDIT"


def audit_sk(time_iso: str, event_id: str) -> str:
    return f"{time_iso}#{event_id}"


def person_refs_pk(org_id: str, sub: str) -> str:
    """Where a person appears (locators written by the audit consumer, deleted on their erasure)."""
    return tenant_prefix(org_id) + f"PERSON#{sub}"


AUDIT_REF_PREFIX = "AUDIT#"


def audit_ref_sk(time_iso: str, event_id: str) -> str:
    """A person's reference to one audit record (its sort key follows)."""
    return AUDIT_REF_PREFIX + audit_sk(time_iso, event_id)


def processed_pk(org_id: str, consumer: str) -> str:
    return tenant_prefix(org_id) + f"CONSUMER#{consumer}"


def processed_sk(event_id: str) -> str:
    return f"EVENT#{event_id}"
