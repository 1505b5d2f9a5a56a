"""Lists and objects as a table: `puter-kvstore.list` / `get`, `puter-apps.select`, `puter-notifications.select`.

A list of objects gets one column per field, an object one row per key; a page of a paged kv list
(`{items, total, cursor}`) is its items, with the total and the cursor in the note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .answers import compact_json, has_json_result

TABLE_METHODS = {
    ("puter-kvstore", "list"),
    ("puter-kvstore", "get"),
    ("puter-apps", "select"),
    ("puter-apps", "read"),
    ("puter-notifications", "select"),
    ("puter-notifications", "read"),
}
MAX_ROWS = 2000  # rows shown at most (the whole result is in the Result tab, or the plain output)
MAX_COLUMNS = 40
CELL_CHARS = 40  # characters of a value shown in a cell


class _Missing:
    """A field this row does not have (unlike a null)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def fits(answer: Any) -> bool:
    return (answer.interface, answer.method) in TABLE_METHODS and has_json_result(answer, "{[")


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Any]]  # the values (or MISSING), whole; the first MAX_ROWS
    note: str = ""
    total: int = 0  # rows in the result


def table_of(value: Any) -> Table:
    """The table a JSON result makes: one column per field of a list of objects, or key/value pairs."""
    notes = []
    if isinstance(value, dict) and isinstance(value.get("items"), list):  # a page of a paged kv list
        for name in ("total", "cursor"):
            if name in value:
                notes.append(f"{name}: {compact_json(value[name], 60)}")
        value = value["items"]
    if isinstance(value, dict):
        columns = ["key", "value"]
        rows = [[key, item] for key, item in value.items()]
    elif isinstance(value, list):
        columns = []
        seen: set[str] = set()
        for item in value[:MAX_ROWS]:
            for key in item if isinstance(item, dict) else ("value",):
                if key not in seen and len(columns) < MAX_COLUMNS:
                    seen.add(key)
                    columns.append(key)
        rows = [
            [item.get(key, MISSING) for key in columns] if isinstance(item, dict)
            else [item if key == "value" else MISSING for key in columns]
            for item in value
        ]
        if len(seen) >= MAX_COLUMNS:
            notes.append(f"the first {MAX_COLUMNS} fields are columns")
    else:
        columns, rows = ["value"], [[value]]
    total = len(rows)
    if total > MAX_ROWS:
        rows = rows[:MAX_ROWS]
        notes.insert(0, f"the first {MAX_ROWS} of {total} rows")
    summary = f"{total} row{'s' if total != 1 else ''}"
    return Table(columns, rows, " · ".join([summary, *notes]), total)


def cell_kind(value: Any) -> str:
    """What a cell holds, for its style: missing, null, number, text or json."""
    if value is MISSING:
        return "missing"
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number"
    return "text" if isinstance(value, str) else "json"


def cell_text(value: Any, limit: int = CELL_CHARS) -> str:
    """A value as one line of a cell (controls escaped, cut to `limit` with …)."""
    kind = cell_kind(value)
    if kind == "missing":
        return ""
    if kind == "null":
        return "null"
    return compact_json(value, limit)


def sort_order(value: Any) -> tuple[Any, ...]:
    """The order cells sort in: numbers by value, then text, then nulls, then missing."""
    kind = cell_kind(value)
    if kind == "missing":
        return (3, 0.0, "")
    if kind == "null":
        return (2, 0.0, "")
    if kind == "number":
        return (0, float(value), "")
    return (1, 0.0, (value if isinstance(value, str) else compact_json(value, CELL_CHARS)).lower())
