"""Running the AppSync JavaScript resolvers of the synthesized template in Node (imported as
``appsync_js``), with a stand-in for ``@aws-appsync/utils`` that records the ``extensions`` calls.

It is not AppSync: ``util.transform.toSubscriptionFilter`` returns its input unchanged, and the filters
are evaluated here (:func:`matches`) with the operators the Argus resolvers use (``eq``,
``beginsWith``, ``or``). What it shows is that the code runs, what it asks AppSync to do, and that
what one resolver sets matches what another sends."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_UTILS = """
export class Stop extends Error {
  constructor(kind, message, errorType, data, errorInfo) {
    super(message);
    this.stop = { kind, message, errorType, data, errorInfo };
  }
}
export const calls = [];
export const util = {
  unauthorized() { throw new Stop("unauthorized", "Unauthorized", "Unauthorized"); },
  error(message, errorType, data, errorInfo) {
    throw new Stop("error", message, errorType, data, errorInfo);
  },
  transform: { toSubscriptionFilter(filter) { return filter; } },
};
export const extensions = {
  setSubscriptionFilter(filter) { calls.push({ setSubscriptionFilter: filter }); },
  setSubscriptionInvalidationFilter(filter) { calls.push({ setSubscriptionInvalidationFilter: filter }); },
  invalidateSubscriptions(invalidation) { calls.push({ invalidateSubscriptions: invalidation }); },
};
"""

_RUNNER = """
import { calls } from "@aws-appsync/utils";
import * as resolver from "./resolver.mjs";
const [which, context] = [process.argv[2], JSON.parse(process.argv[3])];
context.args = context.arguments;
let outcome;
try {
  const returned = resolver[which](context);
  outcome = { returned: returned === undefined ? null : returned };
} catch (thrown) {
  if (!thrown.stop) throw thrown;
  outcome = { stopped: thrown.stop };
}
console.log(JSON.stringify({ ...outcome, calls }));
"""


@dataclass(frozen=True)
class Outcome:
    """What a handler did: its return value, or how it stopped (util.error / util.unauthorized), and
    the ``extensions`` calls it made."""

    returned: Any = None
    stopped: dict[str, Any] | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def extension(self, name: str) -> list[Any]:
        return [call[name] for call in self.calls if name in call]


def run(code: str, handler: str, context: dict[str, Any]) -> Outcome:
    """Run ``handler`` ("request" or "response") of a resolver's ``code`` with ``context`` (``args``
    is set from ``arguments``, as AppSync aliases them)."""
    with tempfile.TemporaryDirectory(prefix="appsync-js-") as directory:
        root = Path(directory)
        utils = root / "node_modules" / "@aws-appsync" / "utils"
        utils.mkdir(parents=True)
        (utils / "package.json").write_text(
            '{"name": "@aws-appsync/utils", "type": "module", "main": "index.js"}'
        )
        (utils / "index.js").write_text(_UTILS)
        (root / "package.json").write_text('{"type": "module"}')
        (root / "resolver.mjs").write_text(code)
        (root / "runner.mjs").write_text(_RUNNER)
        done = subprocess.run(
            ["node", "runner.mjs", handler, json.dumps(context)],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    return Outcome(**json.loads(done.stdout))


def matches(filter_input: dict[str, Any], payload: dict[str, Any]) -> bool:
    """Whether ``payload`` passes a filter written as ``toSubscriptionFilter``'s input."""
    if "or" in filter_input:
        return any(matches(part, payload) for part in filter_input["or"])
    for name, rule in filter_input.items():
        value = payload.get(name)
        for operator, expected in rule.items():
            if operator == "eq" and value != expected:
                return False
            if operator == "beginsWith" and not (isinstance(value, str) and value.startswith(expected)):
                return False
            if operator not in ("eq", "beginsWith"):
                raise NotImplementedError(operator)
    return True
