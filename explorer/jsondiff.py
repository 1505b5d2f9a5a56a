"""A JSON-aware diff: compares decoded values, so key order and formatting never count as changes.

Two calls are compared section by section: what was sent (`request`: service, method, args, test mode)
and what came back (`answer`), each section marked in the text, so that two calls with the same answer
but other args never read "no differences".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator

MISSING = object()


@dataclass
class Change:
    path: str  # like $.result.items[2].name
    old: Any  # MISSING when added
    new: Any  # MISSING when removed

    @property
    def sign(self) -> str:
        return "+" if self.old is MISSING else "-" if self.new is MISSING else "~"


def diff(old: Any, new: Any, path: str = "$") -> Iterator[Change]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys(), key=str):
            child = f"{path}.{key}" if str(key).isidentifier() else f"{path}[{json.dumps(key)}]"
            yield from diff(old.get(key, MISSING), new.get(key, MISSING), child)
    elif isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            a = old[index] if index < len(old) else MISSING
            b = new[index] if index < len(new) else MISSING
            yield from diff(a, b, f"{path}[{index}]")
    elif old is MISSING and new is MISSING:
        return
    elif old is MISSING or new is MISSING or type(old) is not type(new) or old != new:
        yield Change(path, old, new)


def render(changes: list[Change]) -> str:
    if not changes:
        return "no differences"
    lines = []
    for change in changes:
        if change.sign in "-~":
            lines.append(f"- {change.path}: {_short(change.old)}")
        if change.sign in "+~":
            lines.append(f"+ {change.path}: {_short(change.new)}")
    return "\n".join(lines)


def _short(value: Any, width: int = 200) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= width else text[: width - 1] + "…"


SECTIONS = ("request", "answer")


def diff_calls(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Change]]:
    """The changes of each section of two calls ({"request": ..., "answer": ...}), paths from the section."""
    return {section: list(diff(old.get(section), new.get(section))) for section in SECTIONS}


def differs(sections: dict[str, list[Change]]) -> bool:
    return any(sections.values())


def render_calls(sections: dict[str, list[Change]]) -> str:
    if not differs(sections):
        return "no differences (request and answer are the same)"
    parts = []
    for section, changes in sections.items():
        parts.append(f"{section}:\n" + render(changes) if changes else f"{section}: no differences")
    return "\n".join(parts)
