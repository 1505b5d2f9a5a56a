"""JSON paths as a collection writes them: `$`, `$.name`, `$.items[0]`, `$["a key"]`, `$.a.b[2].c`."""

from __future__ import annotations

import json
import re
from typing import Any

_STEP = re.compile(r"""\.([A-Za-z_][\w-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]""")


class PathError(ValueError):
    """A path that is not written as the format says."""


class Missing(Exception):
    """The answer has nothing at the path."""


def parse(path: str) -> list[str | int]:
    """The steps of `path`: keys (str) and indexes (int). PathError when it is not a path."""
    if not isinstance(path, str) or not path.startswith("$"):
        raise PathError(f"a path starts with $ (e.g. $.result.uid), not {path!r}")
    steps: list[str | int] = []
    position = 1
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            raise PathError(f"cannot read the path {path!r} from {path[position:]!r} on")
        name, index, quoted = match.groups()
        steps.append(name if name is not None else int(index) if index is not None else json.loads(quoted))
        position = match.end()
    return steps


def lookup(value: Any, path: str) -> Any:
    """The value at `path` in `value`; Missing when there is none."""
    for step in parse(path):
        if isinstance(step, int) and isinstance(value, list) and 0 <= step < len(value):
            value = value[step]
        elif isinstance(step, str) and isinstance(value, dict) and step in value:
            value = value[step]
        else:
            raise Missing(path)
    return value


def remove(value: Any, path: str) -> Any:
    """A copy of `value` without what is at `path` (nothing changes when it is not there)."""
    steps = parse(path)
    if not steps:
        return None
    return _without(value, steps)


def _without(value: Any, steps: list[str | int]) -> Any:
    step, rest = steps[0], steps[1:]
    present = (isinstance(step, str) and isinstance(value, dict) and step in value) or (
        isinstance(step, int) and isinstance(value, list) and 0 <= step < len(value))
    if not present:
        return value
    copy = dict(value) if isinstance(value, dict) else list(value)
    if rest:
        copy[step] = _without(value[step], rest)
    else:
        del copy[step]
    return copy
