"""History entries as values: what the CLI (`show`, `diff`) and the TUI (diff) compare and print."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: the TUI's first frame imports this module, not SQLite
    from .store import Entry, HistoryStore


def result_value(store: HistoryStore, entry: Entry, limit: int = 16 * 1024 * 1024) -> Any:
    """An entry's result as JSON when it is JSON; a stream as its list of chunks; else text or a path."""
    text = entry.result_inline
    if text is None and entry.body_path:
        if entry.content_type and not any(t in entry.content_type for t in ("json", "ndjson", "text")):
            value = {"file": entry.body_path, "sha256": entry.body_sha256, "content_type": entry.content_type}
            problem = body_file_problem(entry)
            if problem:
                value["missing"] = problem
            return value
        data = store.read_body(entry, max_bytes=limit)
        text = data.decode("utf-8", "replace") if data is not None else None
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        lines = [line for line in text.splitlines() if line.strip()]
        try:
            return [json.loads(line) for line in lines]
        except ValueError:
            return text


def body_file_problem(entry: Entry) -> str | None:
    """Why an entry's body file cannot be read where the history says it is (None: it can)."""
    if not entry.body_path or os.path.isfile(entry.body_path):
        return None
    if entry.body_external:
        return f"the file {entry.body_path} was moved or deleted since the call"
    return f"the body file {entry.body_path} is missing from the history"
