"""The patterns domain's types: a pattern run, its per-cell results and its Knox tests.

A run analyses the ``weeks`` weeks of incidents before ``as_of``. Its cells come in two layers:

- ``"hotspot"``: the Gi* map of the last ``MAP_WEEKS`` weeks at H3 resolution ``MAP_RESOLUTION`` over
  every cell of the study area (stored: the cells with an incident or a decision; ``hot``/``cold`` after
  the false-discovery-rate correction), each with the emerging category of its resolution-
  ``CUBE_RESOLUTION`` parent;
- ``"emerging"``: the cells of the weekly space-time cube (resolution ``CUBE_RESOLUTION``) whose category
  is not "no pattern detected", with z and p of the final week.

Why these resolutions: docs/patterns.md."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from argus.platform import clock

CUBE_RESOLUTION = 9
MAP_RESOLUTION = 10
MAP_WEEKS = 4
DEFAULT_WEEKS = 52
MIN_WEEKS = 2
MAX_WEEKS = 104
# The categories that raise a ``pattern.detected`` event (they later drive alerts): hot spots that are
# new (hot in the final week only), consecutive (hot in an unbroken run of recent weeks, never before) or
# intensifying (hot almost every week, more and more so).
ALERT_CATEGORIES = ("new hot spot", "consecutive hot spot", "intensifying hot spot")
SCHEDULER_ACTOR = "argus:scheduler"
# The rules a run was analysed by (recorded on the run; docs/patterns.md, *Rules versions*):
# 1: the cells holding incidents, per-week z for the trend, one round of tests (runs before the study area);
# 2: every whole cell of the study area, z standardised by the cube for the trend, hot spots tested with
#    the ones already found set aside (``unmasked_hotspots``), no permutations drawn.
RULES_VERSION = 2


class RunStatus(StrEnum):
    """``requested`` → ``completed``; or ``failed`` when the pattern job's last attempt raised (a new
    request for the same moment turns a failed run ``requested`` again)."""

    REQUESTED = "requested"
    COMPLETED = "completed"
    FAILED = "failed"


class Layer(StrEnum):
    HOTSPOT = "hotspot"
    EMERGING = "emerging"


def stored_z(value: float) -> float:
    """z as stored: six decimals."""
    return round(float(value), 6)


def stored_p(value: float) -> float:
    """A p-value as stored: six significant digits (p-values span many orders of magnitude)."""
    return float(f"{float(value):.6g}")


@dataclass(frozen=True)
class PatternCell:
    """One cell's result, with z and p as stored (``stored_z``, ``stored_p``)."""

    layer: Layer
    cell: str  # H3 index, string form
    resolution: int
    z: float
    p_fdr: float  # Benjamini-Hochberg adjusted p-value (the final week's, for the emerging layer)
    hot: bool
    cold: bool
    category: str  # emerging hot spot category (of the cell, or of its cube parent)

    @property
    def alerting(self) -> bool:
        return self.layer is Layer.EMERGING and self.hot and self.category in ALERT_CATEGORIES

    def to_json(self) -> dict[str, Any]:
        return {
            "l": self.layer.value,
            "c": self.cell,
            "r": self.resolution,
            "z": self.z,
            "p": self.p_fdr,
            "h": self.hot,
            "k": self.cold,
            "g": self.category,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> PatternCell:
        return cls(
            Layer(d["l"]),
            d["c"],
            int(d["r"]),
            float(d["z"]),
            float(d["p"]),
            bool(d["h"]),
            bool(d["k"]),
            d["g"],
        )


@dataclass(frozen=True)
class KnoxSummary:
    """Near-repeat (Knox) test of one category: pairs close in space and time, observed and expected."""

    category: str
    incidents: int
    observed: int
    expected: float
    ratio: float
    p_value: float


@dataclass(frozen=True)
class AreaSummary:
    """The study area a run analysed: where it came from (``AreaSource``), its area, the whole cells of
    the cube (resolution ``CUBE_RESOLUTION``) and of the map (``MAP_RESOLUTION``) and how many cells its
    boundary cut (left out), and the run's incidents inside the area and outside it."""

    source: str
    area_km2: float
    cube_cells: int
    cube_cut: int
    map_cells: int
    map_cut: int
    incidents: int
    outside: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AreaSummary:
        return cls(**d)


@dataclass
class PatternRun:
    id: str
    org_id: str
    status: RunStatus
    as_of: datetime
    weeks: int
    requested_by: str
    requested_at: datetime
    completed_at: datetime | None = None
    failed_at: datetime | None = None
    # A short code of why the last attempt failed (the exception's class name): never a message or data.
    failure_reason: str | None = None
    incidents: int = 0
    hot_cells: int = 0
    cold_cells: int = 0
    detected: int = 0
    categories: dict[str, int] = field(default_factory=dict)
    knox: list[KnoxSummary] = field(default_factory=list)
    cells: list[PatternCell] = field(default_factory=list)
    # How many pages of cells the completed run stored (a run read without its cells has ``pages`` only).
    pages: int = 0
    # The rules a completed run was analysed by (completed runs stored before they were recorded read 1;
    # None until the run completes) and its study area (None for a run not completed, a run of rules 1,
    # which had none, or a run that found nothing to analyse).
    rules_version: int | None = None
    study_area: AreaSummary | None = None


def run_id_for(org_id: str, as_of: datetime) -> str:
    """A UUIDv7-shaped id derived from the organisation and ``as_of``: its timestamp is ``as_of`` (ids sort
    by time) and the rest a hash of both, so asking twice for the same moment lands on the same run."""
    millis = int(as_of.timestamp() * 1000) & ((1 << 48) - 1)
    digest = int.from_bytes(hashlib.sha256(f"{org_id}|{clock.iso(as_of)}".encode()).digest()[:10], "big")
    rand_a = digest >> 68  # 12 bits
    rand_b = digest & ((1 << 62) - 1)
    value = (millis << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return str(uuid.UUID(int=value))
