"""Comparing two calls: the value each gave back, and a JSON-aware diff of them as styled text.

A value comes from the history when the call is recorded there (read through the session, with the same
`result_value` the CLI's `diff` uses), else from the live outcome of a call made without a history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from ..jsondiff import diff, render
from ..protocol.outcomes import Binary, DriverError, Failure, Result, Stream
from .calls import Call
from ..terminal_text import clean

if TYPE_CHECKING:
    from .seams import HistorySource


def call_value(call: Call, source: HistorySource | None) -> Any:
    """What `call` gave back, as comparable data. Raises LookupError when there is nothing yet."""
    if call.kind == "pending":
        raise LookupError(f"{call.title} has no outcome yet")
    if source is not None and call.entry_id is not None:
        try:
            return source.entry_value(call.entry_id)
        except LookupError:  # not recorded after all: the live outcome below
            pass
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


def entry_value(source: HistorySource | None, entry_id: int) -> Any:
    """The value of a stored entry (the original of a replay). Raises LookupError when it is gone."""
    if source is None:
        raise LookupError(f"history entry #{entry_id} is not in the history (no history in use)")
    return source.entry_value(entry_id)


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
