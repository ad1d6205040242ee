"""The unzipped size of every Lambda function as built (``make sizes``): its code asset and its layer,
against Lambda's limit of 250 MiB for a function's code and layers together, and what the build trimmed
from each layer.

Sizes are apparent sizes (the sum of the files' lengths), which is what the limit counts; MiB are 2**20
bytes. Usage: ``python layers/sizes.py`` (after ``python layers/build.py``)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

if not __package__:  # run as a script: python layers/sizes.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from layers import build

MIB = 2**20
# Lambda's limit for a function's code and all its layers, unzipped.
LIMIT = 250 * MIB
# The share of the limit a function may use (tests/infra): room for the coming domains' libraries.
BUDGET = 0.8


@dataclass(frozen=True)
class FunctionSize:
    """One function's unzipped size: its code asset and its layers (set name → bytes)."""

    function: str
    code: int
    layers: dict[str, int]

    @property
    def total(self) -> int:
        return self.code + sum(self.layers.values())

    @property
    def share(self) -> float:
        """The share of Lambda's limit."""
        return self.total / LIMIT


def function_sizes() -> list[FunctionSize]:
    """Every function of the catalogue, as built under ``layers/build``."""
    code = build.tree_size(build.CODE_DIR)
    layers = {name: build.tree_size(layer.directory) for name, layer in build.layers().items()}
    return [
        FunctionSize(function.name, code, {layer: layers[layer]})
        for function in build.functions()
        for layer in (function.dependency_set,)
    ]


def trimmed(layer: build.LayerSpec) -> dict[str, int]:
    """What the build trimmed from ``layer``: bytes by reason (empty before a build)."""
    report = build.trimmed_report(layer)
    return json.loads(report.read_text()) if report.exists() else {}


def _mib(size: int) -> str:
    return f"{size / MIB:.2f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def report() -> str:
    """The two tables (Markdown): functions, then layers with what was trimmed from each."""
    sizes = function_sizes()
    functions = _table(
        ["function", "code MiB", "layer (dependency set)", "layer MiB", "total MiB", "of 250 MiB"],
        [
            [s.function, _mib(s.code), name, _mib(size), _mib(s.total), f"{s.share:.1%}"]
            for s in sizes
            for name, size in s.layers.items()
        ],
    )
    specs = build.layers()
    reasons = sorted({reason for layer in specs.values() for reason in trimmed(layer)})
    users = {name: [s.function for s in sizes if name in s.layers] for name in specs}
    layers = _table(
        ["layer", "MiB", "trimmed MiB", *(f"trimmed: {reason}" for reason in reasons), "functions"],
        [
            [
                name,
                _mib(build.tree_size(layer.directory)),
                _mib(sum(trimmed(layer).values())),
                *(_mib(trimmed(layer).get(reason, 0)) for reason in reasons),
                ", ".join(users[name]),
            ]
            for name, layer in specs.items()
        ],
    )
    return f"{functions}\n\n{layers}\n"


def main() -> int:
    if not build.assets_present():
        build.log("the assets are not built: run python layers/build.py first")
        return 1
    print(report(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
