"""What each tab of the outcome view shows, built from data only (never from markup).

`prepare(call)` does the heavy part (formatting JSON, reading saved bodies) and is meant for a thread
worker: a body is a series of line batches (`body`), so the first lines of a huge result can be shown while
the rest is still being formatted. Everything else here is small and cheap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from ...driver_views.answers import human_size
from ...history.values import body_file_problem
from ...protocol.outcomes import Binary, DriverError, Failure, Result, Stream, normalise_code
from ..calls import KIND_LABELS, Call
from ...terminal_text import clean, safe_text
from .body import HEAD_BYTES, Body, hex_body, json_batches, json_body, read_head, saved_body, text_body, text_lines

STREAM_HEAD_BYTES = 4 * 1024 * 1024  # how much of a stored stream is read back to show its chunks
MAX_CHUNK_LINES = 5000  # chunk log lines shown for a stored stream

KIND_STYLES = {
    "pending": "black on grey70",
    "result": "black on green3",
    "driver_error": "black on dark_orange",
    "binary": "black on medium_purple1",
    "stream": "black on deep_sky_blue1",
    "failure": "white on red3",
}
_BADGE_WIDTH = max(len(label) for label in KIND_LABELS.values()) + 2


# -- small formatters -------------------------------------------------------------------------------


def badge(kind: str) -> Text:
    label = KIND_LABELS.get(kind, kind)
    return Text(f" {label} ".center(_BADGE_WIDTH), style=KIND_STYLES.get(kind, "reverse"))


def human_duration(duration_ms: float | None) -> str:
    if duration_ms is None:
        return "-"
    if duration_ms < 1000:
        return f"{duration_ms:.0f} ms"
    return f"{duration_ms / 1000:.2f} s"


def fields(*pairs: tuple[str, Any]) -> Text:
    """`label: value` lines; values are data (escaped), None values are left out."""
    text = Text()
    for label, value in pairs:
        if value is None or value == "":
            continue
        if text:
            text.append("\n")
        text.append(f"{label}: ", style="bold")
        text.append_text(value if isinstance(value, Text) else safe_text(value))  # a Text is already data
    return text


# -- one history row ------------------------------------------------------------------------------


def row_text(call: Call, *, marked: bool = False) -> Text:
    """Two lines: the badge and `interface.method`; then service, status, duration and size."""
    text = badge(call.kind)
    text.append(" ")
    if call.entry_id is not None:  # the id the CLI and the diff name it by
        text.append(f"#{call.entry_id} ", style="bold cyan")
    if marked:  # the call a diff compares against
        text.append("◆ ", style="bold magenta")
    text.append_text(safe_text(call.title, "bold", single_line=True))
    if call.test_mode:
        text.append(" test", style="yellow")
    text.append("\n  ")  # the details line: indented a little, so that it fits the narrow pane
    text.append_text(safe_text(call.service or "default service", "italic", single_line=True))
    if call.kind == "pending":
        details = [f"{call.stream.chunk_count} chunks" if call.stream and call.stream.chunk_count else "in flight…"]
    else:
        status = f"HTTP {call.status}" if call.status is not None else "no answer"
        details = [status, human_duration(call.duration_ms), human_size(call.size)]
    if call.replay_of is not None:
        details.append(f"replay of #{call.replay_of}")
    text.append("  " + " · ".join(details), style="dim")
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


# -- the Result tab ----------------------------------------------------------------------------


@dataclass
class Prepared:
    """Everything the tabs show for one call, made off the event loop."""

    summary: Text
    body: Body | None
    request: list[str]
    headers: Text
    raw: list[str]
    chunks: list[str] | None = None  # the chunk log of a stream (None: no log)
    notes: list[str] = field(default_factory=list)


def prepare(call: Call) -> Prepared:
    """The tabs' content for `call`; reads saved bodies and formats JSON, so: call it in a thread."""
    summary, body = result_parts(call)
    chunks = None
    if call.kind == "stream" or (call.outcome is None and call.entry is None and call.stream is not None):
        chunks = stream_chunk_lines(call)
    return Prepared(summary, body, request_lines(call), headers_view(call), raw_lines(call), chunks)


def result_parts(call: Call) -> tuple[Text, Body | None]:
    """(summary, body) for the Result tab."""
    outcome = call.outcome
    if isinstance(outcome, Result):
        summary = fields(
            ("service", outcome.service_name),
            ("version", outcome.service_version),
            ("enveloped", None if outcome.enveloped else "no (bare JSON answer)"),
            ("saved", outcome.saved_path),
        )
        if outcome.saved_path is not None:
            return summary, saved_body(outcome.saved_path, outcome.exchange.size, outcome.exchange.body_head)
        return summary, json_body(outcome.value)
    if isinstance(outcome, DriverError):
        summary = fields(
            ("code", outcome.code),
            ("normalised code", outcome.normalised_code),
            ("message", outcome.message),
            ("status", outcome.status),
            ("nominal status", outcome.nominal_status),
            ("retryable", "yes" if outcome.retryable else None),
        )
        return summary, json_body(outcome.body) if outcome.body is not None else None
    if isinstance(outcome, Binary):
        summary = fields(
            ("saved to", outcome.path),
            ("content type", outcome.content_type),
            ("size", f"{outcome.size} bytes"),
            ("sha256", outcome.sha256),
        )
        return summary, hex_body(outcome.head)
    if isinstance(outcome, Stream):
        return stream_summary(outcome), stream_body(outcome.text, outcome.text_chars, outcome.saved_path)
    if isinstance(outcome, Failure):
        summary = fields(("failure", outcome.failure), ("message", outcome.message), ("saved to", outcome.saved_path))
        return summary, None
    if call.entry is not None:
        return _entry_result_parts(call)
    if call.kind == "pending":
        if call.stream is not None:
            return live_stream_summary(call), stream_body(call.stream.text, call.stream.text_chars, None)
        return Text("waiting for the server…", style="italic"), None
    return fields(("failure", call.message or call.kind)), None


def stream_summary(outcome: Stream) -> Text:
    return fields(
        ("chunks", outcome.chunk_count),
        ("state", "complete" if outcome.complete and not outcome.error else "incomplete"),
        ("error", outcome.error),
        ("text", f"the last {len(outcome.text)} of {outcome.text_chars} characters" if outcome.text_truncated else None),
        ("saved to", outcome.saved_path),
    )


def live_stream_summary(call: Call) -> Text:
    tail = call.stream
    assert tail is not None
    return fields(("receiving", f"{tail.chunk_count} chunks, {tail.text_chars} characters so far"))


def stream_body(text: str, total: int, saved_path: Any) -> Body:
    note = ""
    if total > len(text):
        note = f"… only the last {len(text)} of {total} characters are shown"
        if saved_path:
            note += f"; the whole stream is saved at {saved_path}"
    return text_body(text, note)


def _entry_result_parts(call: Call) -> tuple[Text, Body | None]:
    entry = call.entry
    if entry.kind == "driver_error":
        summary = fields(
            ("code", entry.error_code),
            ("normalised code", normalise_code(entry.error_code)),
            ("message", entry.error_message),
            ("status", entry.status),
        )
    elif entry.kind == "binary":
        summary = fields(
            ("saved to", entry.body_path),
            ("content type", entry.content_type),
            ("size", f"{entry.size} bytes" if entry.size is not None else None),
            ("sha256", entry.body_sha256),
            ("missing", body_file_problem(entry)),
        )
        return summary, hex_body(read_head(entry.body_path))
    else:
        summary = fields(
            ("summary", entry.summary),
            ("failure", entry.error_code if entry.kind == "failure" else None),
            ("message", entry.error_message if entry.kind != "driver_error" else None),
            ("saved to", entry.body_path),
        )
    if entry.kind == "stream":
        text = entry.result_inline if isinstance(entry.result_inline, str) else stream_text(entry_chunks(entry))
        return summary, text_body(text)
    inline = entry.result_inline
    if inline is None:
        if entry.kind == "result" and entry.body_path:
            return summary, saved_body(entry.body_path, entry.size, b"")
        return summary, None
    if isinstance(inline, str):
        try:
            inline = json.loads(inline)
        except ValueError:
            return summary, text_body(inline)
    return summary, json_body(inline)


def stream_text(chunks: list[Any]) -> str:
    """The text a list of ndjson chunks assembles, as the protocol defines it (`{"type": "text"}`)."""
    return "".join(
        c["text"] for c in chunks if isinstance(c, dict) and c.get("type") == "text" and isinstance(c.get("text"), str)
    )


def entry_chunks(entry: Any, limit: int = MAX_CHUNK_LINES) -> list[Any]:
    """The first chunks of a stored stream: its body file holds one JSON document per line."""
    chunks: list[Any] = []
    raw = read_head(entry.body_path, STREAM_HEAD_BYTES).decode("utf-8", "replace") if entry.body_path else ""
    for line in raw.splitlines():
        if len(chunks) >= limit:
            break
        if not line.strip():
            continue
        try:
            chunks.append(json.loads(line))
        except ValueError:
            chunks.append(line)
    return chunks


def stream_chunk_lines(call: Call) -> list[str]:
    outcome = call.outcome
    if isinstance(outcome, Stream):
        chunks = list(outcome.chunks)
        skipped = outcome.chunk_count - len(chunks)
    elif call.stream is not None:
        chunks = list(call.stream.chunks)
        skipped = call.stream.chunk_count - len(chunks)
    elif call.entry is not None:
        chunks, skipped = entry_chunks(call.entry), 0
    else:
        chunks, skipped = [], 0
    lines = [f"… {skipped} earlier chunks are in the saved body"] if skipped > 0 else []
    return lines + [chunk_line(c) for c in chunks]


def chunk_line(chunk: Any) -> str:
    """One line of the live chunk log (the Log widget shows plain text, never markup)."""
    line = chunk if isinstance(chunk, str) else json.dumps(chunk, ensure_ascii=False, default=str)
    return clean(line[:2000], single_line=True)


# -- the other tabs ------------------------------------------------------------------------------


def request_lines(call: Call) -> list[str]:
    if not call.request_body:
        return ["(nothing sent)"]
    try:
        value = json.loads(call.request_body)
    except ValueError:
        return text_lines(call.request_body)
    return [line for batch in json_batches(value) for line in batch]


def headers_view(call: Call) -> Text:
    if call.outcome is not None:
        exchange = call.outcome.exchange
        status_line = f"HTTP {exchange.status} {exchange.reason}".rstrip() if exchange.status else None
        headers = exchange.response_headers
    elif call.entry is not None:
        status_line = f"HTTP {call.entry.status}" if call.entry.status else None
        headers = call.entry.response_headers or []
    else:
        return Text("(no response yet)", style="dim")
    text = Text()
    if status_line:
        text.append(status_line + "\n", style="bold")
    for name, value in headers:
        text.append_text(safe_text(name, "cyan", single_line=True))
        text.append(": ")
        text.append_text(safe_text(value, single_line=True))
        text.append("\n")
    return text if text else Text("(no headers)", style="dim")


def raw_lines(call: Call) -> list[str]:
    """The head of the response body as text (`HEAD_BYTES` at most)."""
    outcome = call.outcome
    if outcome is not None:
        head = outcome.exchange.body_head
        if not head and isinstance(outcome, Binary):
            head = outcome.head
        return text_lines(head[:HEAD_BYTES]) if head else ["(empty body)"]
    if call.entry is not None:
        head = read_head(call.entry.body_path)
        if head:
            return text_lines(head)
        inline = call.entry.result_inline
        if inline is not None:
            text = inline if isinstance(inline, str) else json.dumps(inline, ensure_ascii=False)
            return text_lines(text[:HEAD_BYTES])
        return ["(no body kept)"]
    if call.stream is not None and call.stream.chunk_count:
        return text_lines("\n".join(chunk_line(c) for c in list(call.stream.chunks)[:50])[:HEAD_BYTES])
    return ["(no response yet)"]
