"""Key builders of the patterns domain.

A pattern run is one partition: its header item (``RUN``), its cell results in pages (``CELLS#0000`` …,
each well under DynamoDB's 400 KB item limit) and the markers of the event batches it emitted
(``EMITTED#0000`` …). Runs are listed newest first through GSI1 (one partition per organisation)."""

from __future__ import annotations

from argus.platform.tenancy import tenant_prefix

RUN_SK = "RUN"
CELLS_PREFIX = "CELLS#"
EMITTED_PREFIX = "EMITTED#"


def run_pk(org_id: str, run_id: str) -> str:
    return tenant_prefix(org_id) + f"PATTERNRUN#{run_id}"


def cells_sk(page: int) -> str:
    return f"{CELLS_PREFIX}{page:04d}"


def emitted_sk(batch: int) -> str:
    return f"{EMITTED_PREFIX}{batch:04d}"


def runs_pk(org_id: str) -> str:
    """GSI1 partition: the organisation's pattern runs."""
    return tenant_prefix(org_id) + "PATTERNRUNS"


def runs_sk(as_of_iso: str, run_id: str) -> str:
    return f"{as_of_iso}#{run_id}"
