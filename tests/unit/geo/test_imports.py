"""argus.geo stays off the GraphQL cold path: nothing heavy loads until a geo feature is used."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("shapely", "h3", "numpy")


def loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_importing_the_package_or_the_export_loads_no_geometry_library() -> None:
    assert loaded_after("import argus.geo") == set()
    assert loaded_after("from argus.geo import feature_collection") == set()
    assert loaded_after("import argus.geo.export") == set()


def test_geometry_names_load_on_use() -> None:
    assert loaded_after("from argus.geo import parse_area") >= {"shapely", "numpy"}
    assert "h3" in loaded_after("from argus.geo import AreaIndex")
