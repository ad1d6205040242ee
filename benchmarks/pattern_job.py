"""Sizing the pattern job's function: the whole analysis of one run (``argus.patterns.analysis.analyse``:
the weekly cube, the four-week hotspot map and the Knox tests) on a year of 300,000 synthetic incidents,
one fifth of them burglaries, over two study areas: the city's 20 x 20 km square, and the largest area a
jurisdiction may have (2,500 km², a 50 km square around the city: about 170,000 resolution-10 cells,
nearly all empty). Prints the time and the process's peak RSS of each, which the function's memory
setting (argus.consumers.PATTERN_JOB) must exceed with room to spare."""

from __future__ import annotations

import resource
import time

import numpy as np
from argus.patterns.analysis import Points, analyse
from argus.patterns.area import AreaSource, StudyArea
from argus.patterns.stats import box_geometry
from argus.patterns.stats.synthetic import city_box, synthetic_city


def main() -> int:
    from argus.consumers import PATTERN_JOB

    city = synthetic_city(0)
    category = np.where(np.arange(len(city)) % 5 == 0, "burglary", "other_theft")
    points = Points(city.lat, city.lng, city.day, category)
    for name, box in (
        ("the city's square (385 km²)", city.box),
        ("a 50 km square (2,500 km²)", city_box(50.0)),
    ):
        area = StudyArea(AreaSource.JURISDICTION, box_geometry(*box))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        result = analyse(points, 52, area)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert result.area is not None
        print(
            f"{name}: {len(city):,} incidents, {result.area.map_cells:,} map cells, "
            f"{result.area.cube_cells:,} cube cells: {seconds:.1f} s, {len(result.cells):,} cells stored"
        )
        print(
            f"  peak RSS {peak:.0f} MB (before the analysis {before:.0f} MB); "
            f"function memory {PATTERN_JOB.memory_mb} MB; peak / memory {peak / PATTERN_JOB.memory_mb:.2f} "
            "(must stay well below 1)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
