"""Crime-pattern statistics: pure functions over numpy arrays (no AWS, no storage).

- ``area``: a study area's whole H3 cells, empty ones included.
- ``grid``: points to H3 cells, binary ring-1 neighbours as CSR arrays.
- ``gistar``: Getis-Ord Gi* z-scores and hot/cold spots (permutations, exact p-values, FDR).
- ``permutation`` / ``exact``: conditional randomisation by esda-compatible draws, and exactly.
- ``fdr``: Benjamini-Hochberg.  ``trend``: Mann-Kendall.  ``emerging``: space-time cube and categories.
- ``knox``: near-repeat Knox test.  ``evaluate``: PAI, PEI.  ``synthetic``: test cities.

See docs/patterns.md for the methods, the decisions and their reasons.
"""

from __future__ import annotations

from argus.patterns.stats.area import StudyCells, box_geometry, cells_in_box, study_cells
from argus.patterns.stats.emerging import (
    Category,
    EmergingResult,
    SpaceTimeCube,
    build_cube,
    classify,
    cube_counts,
    emerging_hotspots,
)
from argus.patterns.stats.evaluate import (
    ForecastScore,
    evaluate_split,
    flag_cells,
    rank_cells,
    score_forecast,
)
from argus.patterns.stats.exact import randomisation_tails, supports_exact, total_randomisation_tails
from argus.patterns.stats.fdr import bh_adjust, bh_reject
from argus.patterns.stats.gistar import HotspotResult, gi_star_z, hotspots, unmasked_hotspots
from argus.patterns.stats.grid import (
    BinnedPoints,
    Neighbours,
    bin_points,
    cell_areas_km2,
    locate,
    points_to_cells,
    ring1_neighbours,
    to_local_metres,
)
from argus.patterns.stats.knox import KnoxResult, KnoxTable, close_pairs, knox_table, knox_test
from argus.patterns.stats.permutation import PermutationCounts, Scheme, conditional_counts, index_table
from argus.patterns.stats.trend import MannKendall, mann_kendall

__all__ = [
    "BinnedPoints",
    "Category",
    "EmergingResult",
    "ForecastScore",
    "HotspotResult",
    "KnoxResult",
    "KnoxTable",
    "MannKendall",
    "Neighbours",
    "PermutationCounts",
    "Scheme",
    "SpaceTimeCube",
    "StudyCells",
    "bh_adjust",
    "bh_reject",
    "bin_points",
    "box_geometry",
    "build_cube",
    "cell_areas_km2",
    "cells_in_box",
    "classify",
    "close_pairs",
    "conditional_counts",
    "cube_counts",
    "emerging_hotspots",
    "evaluate_split",
    "flag_cells",
    "gi_star_z",
    "hotspots",
    "index_table",
    "knox_table",
    "knox_test",
    "locate",
    "mann_kendall",
    "points_to_cells",
    "randomisation_tails",
    "rank_cells",
    "ring1_neighbours",
    "score_forecast",
    "study_cells",
    "supports_exact",
    "to_local_metres",
    "total_randomisation_tails",
    "unmasked_hotspots",
]
