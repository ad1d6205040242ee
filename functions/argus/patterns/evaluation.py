"""Forecast quality of the hotspot method: train on earlier weeks, score later weeks with PAI, PEI and
PEI* at 1% and 5% of the area (``argus patterns evaluate``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from argus.patterns.stats import build_cube, evaluate_split, ring1_neighbours
from argus.patterns.stats.evaluate import ForecastScore
from argus.patterns.stats.synthetic import synthetic_city

CHICAGO_DATE = "%m/%d/%Y %I:%M:%S %p"


@dataclass(frozen=True)
class Evaluation:
    name: str
    incidents: int
    cells: int
    train_weeks: int
    test_weeks: int
    scores: dict[str, list[ForecastScore]]  # by ranking method: "counts" (past counts), "gistar"


def evaluate(
    name: str, lat: npt.ArrayLike, lng: npt.ArrayLike, day: npt.ArrayLike, *, train_fraction: float = 0.75
) -> Evaluation:
    """Rank cells (H3 resolution 9, weekly bins) on the first ``train_fraction`` of the weeks by past
    counts and by Gi* z, and score both on the remaining weeks."""
    cube = build_cube(lat, lng, day)
    if cube.steps < 2:
        raise ValueError("the data covers less than two weeks")
    split = min(max(1, round(cube.steps * train_fraction)), cube.steps - 1)
    neighbours = ring1_neighbours(cube.cells)
    return Evaluation(
        name=name,
        incidents=int(cube.counts.sum()),
        cells=int(cube.cells.shape[0]),
        train_weeks=split,
        test_weeks=cube.steps - split,
        scores={
            "counts": evaluate_split(cube.counts, split),
            "gistar": evaluate_split(cube.counts, split, neighbours=neighbours, method="gistar"),
        },
    )


def synthetic(seed: int = 7, n: int = 60_000, weeks: int = 52) -> Evaluation:
    city = synthetic_city(seed, n=n, weeks=weeks)
    return evaluate(
        f"synthetic city (seed {seed}, {n} incidents, planted hotspots)", city.lat, city.lng, city.day
    )


def chicago(path: Path) -> Evaluation:
    """The City of Chicago layout (Date, Latitude, Longitude); rows without coordinates are left out."""
    when: list[datetime] = []
    lat: list[float] = []
    lng: list[float] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            try:
                moment = datetime.strptime(row["Date"], CHICAGO_DATE)
                la, lo = float(row["Latitude"]), float(row["Longitude"])
            except (KeyError, ValueError):
                continue
            when.append(moment)
            lat.append(la)
            lng.append(lo)
    if not when:
        raise ValueError(f"{path} has no rows with a date and coordinates")
    start = min(when)
    day = np.array([(w - start).total_seconds() / 86400 for w in when])
    return evaluate(f"Chicago sample ({path.name})", np.array(lat), np.array(lng), day)


def report(evaluation: Evaluation) -> str:
    lines = [
        f"{evaluation.name}: {evaluation.incidents} incidents in {evaluation.cells} cells (H3 res 9); "
        f"trained on {evaluation.train_weeks} weeks, scored on {evaluation.test_weeks}",
        f"  {'ranking':<8} {'area':>5} {'cells':>6} {'hit rate':>9} {'PAI':>7} {'PEI':>6} {'PEI*':>6}",
    ]
    for method, scores in evaluation.scores.items():
        for s in scores:
            lines.append(
                f"  {method:<8} {s.coverage:>5.0%} {s.cells:>6} {s.hit_rate:>9.3f} {s.pai:>7.2f} "
                f"{s.pei:>6.2f} {s.pei_star:>6.2f}"
            )
    return "\n".join(lines)
