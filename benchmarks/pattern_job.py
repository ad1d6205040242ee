"""Sizing the pattern job's function: the whole analysis of one run (``argus.patterns.analysis.analyse``:
the weekly cube, the four-week hotspot map and the Knox tests) on a year of 300,000 synthetic incidents
over a 20 x 20 km city, one fifth of them burglaries. Prints its time and the process's peak RSS, which
the function's memory setting (argus.consumers.PATTERN_JOB) must exceed with room to spare."""

from __future__ import annotations

import resource
import time

import numpy as np
from argus.patterns.analysis import Points, analyse
from argus.patterns.stats.synthetic import synthetic_city


def main() -> int:
    from argus.consumers import PATTERN_JOB

    city = synthetic_city(0)
    category = np.where(np.arange(len(city)) % 5 == 0, "burglary", "other_theft")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    result = analyse(Points(city.lat, city.lng, city.day, category), 52)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pattern job analysis of {len(city):,} incidents: {seconds:.1f} s, {len(result.cells):,} cells")
    print(
        f"peak RSS {peak:.0f} MB (before the analysis {before:.0f} MB); "
        f"function memory {PATTERN_JOB.memory_mb} MB"
    )
    print(f"peak / function memory: {peak / PATTERN_JOB.memory_mb:.2f} (must stay well below 1)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
