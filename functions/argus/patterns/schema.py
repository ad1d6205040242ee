"""GraphQL types, queries and the mutation of the patterns domain (staff only)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from argus.api.context import principal_of
from argus.api.cost import cost
from argus.api.permissions import requires
from argus.api.relay import Connection, connection
from argus.incidents.service.access import STAFF
from argus.patterns import model, service

strawberry.enum(model.RunStatus, name="PatternRunStatus")
strawberry.enum(model.Layer, name="PatternLayer")


@strawberry.type(description="One H3 cell of a run's results (z-score and FDR-adjusted p-value).")
class PatternCell:
    layer: model.Layer
    cell: str
    resolution: int
    z: float
    p_fdr: float
    hot: bool
    cold: bool
    category: str

    @classmethod
    def of(cls, c: model.PatternCell) -> PatternCell:
        return cls(
            layer=c.layer,
            cell=c.cell,
            resolution=c.resolution,
            z=c.z,
            p_fdr=c.p_fdr,
            hot=c.hot,
            cold=c.cold,
            category=c.category,
        )


@strawberry.type(description="Near-repeat (Knox) test of a category: pairs within 200 m and 14 days.")
class KnoxResult:
    category: str
    incidents: int
    observed: int
    expected: float
    ratio: float
    p_value: float


@strawberry.type(description="How many cells of the space-time cube fell in an emerging hot spot category.")
class PatternCategoryCount:
    category: str
    cells: int


@strawberry.type(
    description="Where a run looked: its study area and the whole H3 cells analysed, empty ones included "
    "(cells the boundary cuts are left out)."
)
class PatternStudyArea:
    source: str = strawberry.field(
        description="jurisdiction (the organisation's), watch-groups (the union of its watch groups' "
        "boundaries) or incidents (the extent of the run's incidents: neither was set)."
    )
    area_km2: float
    cube_cells: int = strawberry.field(description="Whole cells of the weekly cube (H3 resolution 9).")
    cube_cut: int = strawberry.field(description="Resolution-9 cells the boundary cuts (left out).")
    map_cells: int = strawberry.field(description="Whole cells of the four-week map (H3 resolution 10).")
    map_cut: int = strawberry.field(description="Resolution-10 cells the boundary cuts (left out).")
    incidents: int = strawberry.field(description="The run's incidents inside the area.")
    outside: int = strawberry.field(description="The run's incidents outside the area (not analysed).")


@strawberry.type(description="A crime-pattern run over the weeks before asOf.")
class PatternRun:
    id: strawberry.ID
    status: model.RunStatus
    as_of: datetime
    weeks: int
    requested_by: str
    requested_at: datetime
    completed_at: datetime | None
    failed_at: datetime | None = strawberry.field(
        description="When the run failed (status FAILED): the pattern job's last attempt raised."
    )
    failure_reason: str | None = strawberry.field(
        description="Why the run failed, as a short code (the error's kind); never data."
    )
    incidents: int
    hot_cells: int
    cold_cells: int
    detected: int = strawberry.field(description="New or intensifying hot spots (pattern.detected events).")
    categories: list[PatternCategoryCount]
    knox: list[KnoxResult]
    rules_version: int | None = strawberry.field(
        description="The rules the run was analysed by (docs/patterns.md, Rules versions): 2 today; runs "
        "completed before the rules were recorded read 1; null until the run completes."
    )
    study_area: PatternStudyArea | None = strawberry.field(
        description="Where the run looked; null for a run not completed, of rules 1, or with nothing to "
        "analyse."
    )
    run: strawberry.Private[model.PatternRun]

    @strawberry.field(
        extensions=[cost(1)], description="The run's cells; by default the significant ones only."
    )
    async def cells(
        self, info: Info, layer: model.Layer | None = None, significant_only: bool = True
    ) -> list[PatternCell]:
        run = self.run
        cells = run.cells
        if not cells and run.pages:  # a listed run: its cells come in one batch with the other runs'
            cells = await info.context.loaders.pattern_cells.load((run.org_id, run.id, run.pages))
        return [
            PatternCell.of(c)
            for c in cells
            if (layer is None or c.layer is layer) and (not significant_only or c.hot or c.cold)
        ]

    @classmethod
    def of(cls, r: model.PatternRun) -> PatternRun:
        return cls(
            id=strawberry.ID(r.id),
            status=r.status,
            as_of=r.as_of,
            weeks=r.weeks,
            requested_by=r.requested_by,
            requested_at=r.requested_at,
            completed_at=r.completed_at,
            failed_at=r.failed_at,
            failure_reason=r.failure_reason,
            incidents=r.incidents,
            hot_cells=r.hot_cells,
            cold_cells=r.cold_cells,
            detected=r.detected,
            categories=[PatternCategoryCount(category=k, cells=v) for k, v in sorted(r.categories.items())],
            knox=[
                KnoxResult(
                    category=k.category,
                    incidents=k.incidents,
                    observed=k.observed,
                    expected=k.expected,
                    ratio=k.ratio,
                    p_value=k.p_value,
                )
                for k in r.knox
            ],
            rules_version=r.rules_version,
            study_area=PatternStudyArea(**r.study_area.to_json()) if r.study_area else None,
            run=r,
        )


@strawberry.type
class Query:
    @strawberry.field(
        extensions=[*requires(*STAFF), cost(1, paged_by="first")],
        description="The organisation's pattern runs, newest first.",
    )
    def pattern_runs(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[PatternRun]:
        return connection(service.list_runs(principal_of(info), first, after), PatternRun.of)

    @strawberry.field(extensions=requires(*STAFF), description="A pattern run and its results.")
    def pattern_run(self, info: Info, id: strawberry.ID) -> PatternRun:
        return PatternRun.of(service.get_run(principal_of(info), str(id)))

    @strawberry.field(
        extensions=[*requires(*STAFF), cost(100)],
        description="RFC 7946 FeatureCollection of a completed run's hot and cold cells and emerging hot "
        "spot cells, as H3 cell polygons.",
    )
    def pattern_hotspots_geo_json(self, info: Info, run_id: strawberry.ID) -> JSON:
        return cast(JSON, service.hotspots_geojson(principal_of(info), str(run_id)))


@strawberry.type
class Mutation:
    @strawberry.mutation(
        extensions=requires(*STAFF),
        description="Ask for a pattern run over the weeks before now; it runs in the background "
        "(poll patternRun, or listen for org.argus.pattern.run-completed.v1 and "
        "org.argus.pattern.run-failed.v1).",
    )
    def request_pattern_run(self, info: Info, weeks: int = model.DEFAULT_WEEKS) -> PatternRun:
        return PatternRun.of(service.request_run(principal_of(info), weeks))
