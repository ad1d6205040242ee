"""The Lambda dependency layer and code asset builds (see build.py)."""
