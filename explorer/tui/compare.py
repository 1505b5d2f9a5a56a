"""Comparing two calls: the value each gave back, and a JSON-aware diff of them as styled text.

A value comes from the history store when the call is recorded there (the same `result_value` the CLI's
`diff` uses), else from the live outcome of a call made without a history.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..history_view import result_value
from ..jsondiff import diff, render
from ..protocol.outcomes import Binary, DriverError, Failure, Result, Stream
from .calls import Call
from .safe import clean


def call_value(call: Call, store: Any) -> Any:
    """What `call` gave back, as comparable data. Raises LookupError when there is nothing yet."""
    if call.kind == "pending":
        raise LookupError(f"{call.title} has no outcome yet")
    if store is not None and call.entry_id is not None:
        entry = store.get(call.entry_id)
        if entry is not None:
            return result_value(store, entry)
    outcome = call.outcome
    if isinstance(outcome, Result):
        return outcome.value
    if isinstance(outcome, DriverError):
        return outcome.body
    if isinstance(outcome, Stream):
        return outcome.chunks
    if isinstance(outcome, Binary):
        return {"file": str(outcome.path), "sha256": outcome.sha256, "content_type": outcome.content_type}
    if isinstance(outcome, Failure):
        return outcome.message
    return call.message or None


def entry_value(store: Any, entry_id: int) -> Any:
    """The value of a stored entry (the original of a replay). Raises LookupError when it is gone."""
    entry = store.get(entry_id) if store is not None else None
    if entry is None:
        raise LookupError(f"history entry #{entry_id} is not in the history")
    return result_value(store, entry)


def diff_text(old: Any, new: Any) -> Text:
    """The diff as text: `-` lines red, `+` lines green (built from data, never from markup)."""
    text = Text()
    for line in render(list(diff(old, new))).splitlines():
        style = "red" if line.startswith("- ") else "green" if line.startswith("+ ") else "dim"
        text.append(clean(line) + "\n", style=style)
    text.rstrip()
    return text


def label(call: Call) -> str:
    number = f"#{call.entry_id} " if call.entry_id is not None else ""
    return clean(f"{number}{call.title}", single_line=True)
