"""Comparing two calls: the value each gave back, and a JSON-aware diff of them as styled text.

A value comes from the history when the call is recorded there (read through the session, with the same
`result_value` the CLI's `diff` uses), else from the live outcome of a call made without a history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import json

from rich.text import Text

from ..jsondiff import diff, diff_calls, render, render_calls
from ..protocol.outcomes import Binary, DriverError, Failure, Result, Stream
from .calls import Call
from ..terminal_text import clean
from .views.render import human_size

GIST_WIDTH = 80  # characters of an answer shown in a compare row

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


def request_section(call: Call) -> dict[str, Any]:
    """What a call sent, as a diff compares it (the same keys as `Session.entry_call`'s request)."""
    return {"interface": call.interface, "service": call.service or None, "method": call.method,
            "args": call.args, "test_mode": call.test_mode}


def call_sections(call: Call, source: HistorySource | None) -> dict[str, Any]:
    return {"request": request_section(call), "answer": call_value(call, source)}


def entry_sections(source: HistorySource | None, entry_id: int) -> dict[str, Any]:
    """A stored entry's request and answer (the original of a replay). LookupError when it is gone."""
    if source is None:
        raise LookupError(f"history entry #{entry_id} is not in the history (no history in use)")
    return source.entry_call(entry_id)


def sections_text(old: dict[str, Any], new: dict[str, Any]) -> Text:
    """The diff of two calls, the request and the answer each under its heading; `-` red, `+` green."""
    text = Text()
    for line in render_calls(diff_calls(old, new)).splitlines():
        heading = not line.startswith(("- ", "+ "))
        style = "bold" if heading else "red" if line.startswith("- ") else "green"
        text.append(clean(line) + "\n", style=style)
    text.rstrip()
    return text


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


def gist(call: Call) -> Text:
    """One short line of what a call gave back: enough to see two services differ."""
    outcome = call.outcome
    if call.kind == "pending":
        text = "…"
    elif isinstance(outcome, Result):
        text = _value_gist(outcome.value, call.size or 0)
    elif isinstance(outcome, DriverError):
        text = f"{outcome.code or 'error'}: {outcome.message}"
    elif isinstance(outcome, Binary):
        text = f"{outcome.content_type or 'binary'} · sha256 {outcome.sha256[:12]}"
    elif isinstance(outcome, Stream):
        text = outcome.text or f"{outcome.chunk_count} chunks"
    elif isinstance(outcome, Failure):
        text = outcome.message
    else:
        text = call.message or call.kind
    text = clean(" ".join(str(text).split()), single_line=True)
    return Text(text if len(text) <= GIST_WIDTH else text[: GIST_WIDTH - 1] + "…")


def _value_gist(value: Any, size: int) -> str:
    """Short JSON as it is; else its longest string (a chat answer's text rather than its id)."""
    if size <= 4 * GIST_WIDTH:  # only a small answer is turned back into text whole
        compact = json.dumps(value, ensure_ascii=False, default=str)
        if len(compact) <= GIST_WIDTH:
            return compact
    strings: list[str] = []
    stack = [value]
    while stack and len(strings) < 500:  # bounded: a big result is not walked whole
        node = stack.pop()
        if isinstance(node, str):
            strings.append(node)
        elif isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node[:200]))
    return max(strings, key=len) if strings else f"JSON, {human_size(size)}"


def tokens(call: Call) -> str:
    """`in/out` tokens where a chat answer states its usage, else "-"."""
    outcome = call.outcome
    usage = outcome.value.get("usage") if isinstance(outcome, Result) and isinstance(outcome.value, dict) else None
    if not isinstance(usage, dict):
        return "-"
    counts = [usage.get(k) for k in ("input_tokens", "output_tokens", "prompt_tokens", "completion_tokens")]
    found = [n for n in counts if isinstance(n, int) and not isinstance(n, bool)]
    return "/".join(str(n) for n in found[:2]) if found else "-"
