"""History entries as values: what the CLI (`show`, `diff`) and the TUI (diff) compare and print."""

from __future__ import annotations

import json
from typing import Any

from .history import Entry, HistoryStore


def result_value(store: HistoryStore, entry: Entry, limit: int = 16 * 1024 * 1024) -> Any:
    """An entry's result as JSON when it is JSON; a stream as its list of chunks; else text or a path."""
    text = entry.result_inline
    if text is None and entry.body_path:
        if entry.content_type and not any(t in entry.content_type for t in ("json", "ndjson", "text")):
            return {"file": entry.body_path, "sha256": entry.body_sha256, "content_type": entry.content_type}
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
