"""What each tab of the outcome view shows, built from data only (never from markup).

Large content is cut: above `PRETTY_LIMIT` characters only the head is shown with the path of the saved
body, so a multi-megabyte answer never reaches a widget.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text

from ...protocol.outcomes import Binary, DriverError, Failure, Result, Stream, normalise_code
from ..calls import KIND_LABELS, Call
from ..safe import clean, safe_text

PRETTY_LIMIT = 200_000  # characters of pretty text rendered at most
HEAD_BYTES = 4096  # bytes of a saved body read back for the Raw and hex views
HEX_BYTES = 512  # bytes shown in a hex dump
STREAM_HEAD_BYTES = 4 * 1024 * 1024  # how much of a stored stream is read back to show its chunks
HEX_WIDTH = 8  # bytes per hex dump line: fits the narrow outcome pane

KIND_STYLES = {
    "pending": "black on grey70",
    "result": "black on green3",
    "driver_error": "black on dark_orange",
    "binary": "black on medium_purple1",
    "stream": "black on deep_sky_blue1",
    "failure": "white on red3",
}
_BADGE_WIDTH = max(len(label) for label in KIND_LABELS.values()) + 2
SYNTAX_THEME = "monokai"


# -- small formatters -------------------------------------------------------------------------------


def badge(kind: str) -> Text:
    label = KIND_LABELS.get(kind, kind)
    return Text(f" {label} ".center(_BADGE_WIDTH), style=KIND_STYLES.get(kind, "reverse"))


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def human_duration(duration_ms: float | None) -> str:
    if duration_ms is None:
        return "-"
    if duration_ms < 1000:
        return f"{duration_ms:.0f} ms"
    return f"{duration_ms / 1000:.2f} s"


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def fields(*pairs: tuple[str, Any]) -> Text:
    """`label: value` lines; values are data (escaped), None values are left out."""
    text = Text()
    for label, value in pairs:
        if value is None or value == "":
            continue
        if text:
            text.append("\n")
        text.append(f"{label}: ", style="bold")
        text.append_text(safe_text(value))
    return text


def json_view(text: str, *, saved_path: Any = None) -> RenderableType:
    """Highlighted JSON, cut at PRETTY_LIMIT with a note saying where the whole body is."""
    if len(text) <= PRETTY_LIMIT:
        return Syntax(clean(text), "json", theme=SYNTAX_THEME, word_wrap=True, background_color="default")
    head = clean(text[:PRETTY_LIMIT])
    note = Text(f"… cut: {len(text)} characters, first {PRETTY_LIMIT} shown", style="bold yellow")
    if saved_path:
        note.append_text(safe_text(f"; whole body saved at {saved_path}"))
    return Group(note, Syntax(head, "json", theme=SYNTAX_THEME, word_wrap=True, background_color="default"))


def hex_dump(data: bytes, limit: int = HEX_BYTES) -> Text:
    lines = []
    for offset in range(0, min(len(data), limit), HEX_WIDTH):
        row = data[offset : offset + HEX_WIDTH]
        hexes = " ".join(f"{b:02x}" for b in row)
        ascii_ = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in row)
        lines.append(f"{offset:04x}  {hexes:<{HEX_WIDTH * 3 - 1}}  {ascii_}")
    if len(data) > limit:
        lines.append(f"… {len(data) - limit} more bytes in the head")
    return Text("\n".join(lines) or "(empty)")


def raw_text(data: bytes | str) -> Text:
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    return safe_text(text[:PRETTY_LIMIT])


def read_head(path: Any, limit: int = HEAD_BYTES) -> bytes:
    """The first bytes of a saved body, or b"" when the file is gone."""
    if not path:
        return b""
    try:
        with Path(path).open("rb") as handle:
            return handle.read(limit)
    except OSError:
        return b""


# -- one history row ------------------------------------------------------------------------------


def row_text(call: Call, *, marked: bool = False) -> Text:
    """Two lines: the badge and `interface.method`; then service, status, duration and size."""
    text = badge(call.kind)
    text.append(" ")
    if marked:  # the call a diff compares against
        text.append("◆ ", style="bold magenta")
    text.append_text(safe_text(call.title, "bold", single_line=True))
    if call.test_mode:
        text.append(" test", style="yellow")
    text.append("\n  ")  # the details line: indented a little, so that it fits the narrow pane
    text.append_text(safe_text(call.service or "default service", "italic", single_line=True))
    if call.kind == "pending":
        details = [f"{len(call.chunks)} chunks" if call.chunks else "in flight…"]
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


def result_parts(call: Call) -> tuple[Text, RenderableType | None]:
    """(summary, body) for the Result tab. The stream chunk log is kept by the widget itself."""
    outcome = call.outcome
    if isinstance(outcome, Result):
        summary = fields(
            ("service", outcome.service_name),
            ("version", outcome.service_version),
            ("enveloped", None if outcome.enveloped else "no (bare JSON answer)"),
            ("saved", outcome.saved_path),
        )
        if outcome.saved_path is not None:
            return summary, raw_text(outcome.exchange.body_head)
        return summary, json_view(pretty_json(outcome.value))
    if isinstance(outcome, DriverError):
        summary = fields(
            ("code", outcome.code),
            ("normalised code", outcome.normalised_code),
            ("message", outcome.message),
            ("status", outcome.status),
            ("nominal status", outcome.nominal_status),
            ("retryable", "yes" if outcome.retryable else None),
        )
        return summary, json_view(pretty_json(outcome.body)) if outcome.body is not None else None
    if isinstance(outcome, Binary):
        summary = fields(
            ("saved to", outcome.path),
            ("content type", outcome.content_type),
            ("size", f"{outcome.size} bytes"),
            ("sha256", outcome.sha256),
        )
        return summary, hex_dump(outcome.head)
    if isinstance(outcome, Stream):
        summary = fields(
            ("chunks", len(outcome.chunks)),
            ("state", "complete" if outcome.complete and not outcome.error else "incomplete"),
            ("error", outcome.error),
            ("saved to", outcome.saved_path),
        )
        return summary, assembled_text(outcome.text)
    if isinstance(outcome, Failure):
        summary = fields(("failure", outcome.failure), ("message", outcome.message), ("saved to", outcome.saved_path))
        return summary, None
    if call.entry is not None:
        return _entry_result_parts(call)
    if call.kind == "pending":
        note = Text("waiting for the server…", style="italic")
        return note, assembled_text(stream_text(call.chunks)) if call.chunks else None
    return fields(("failure", call.message or call.kind)), None


def _entry_result_parts(call: Call) -> tuple[Text, RenderableType | None]:
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
        )
        return summary, hex_dump(read_head(entry.body_path))
    else:
        summary = fields(
            ("summary", entry.summary),
            ("failure", entry.error_code if entry.kind == "failure" else None),
            ("message", entry.error_message if entry.kind != "driver_error" else None),
            ("saved to", entry.body_path),
        )
    if entry.kind == "stream":
        return summary, assembled_text(stream_text(entry_chunks(entry)))
    inline = entry.result_inline
    if inline is None:
        return summary, None
    if isinstance(inline, str):
        try:
            inline = json.loads(inline)
        except ValueError:
            return summary, raw_text(inline)
    return summary, json_view(pretty_json(inline), saved_path=entry.body_path)


def stream_text(chunks: list[Any]) -> str:
    """The text a list of ndjson chunks assembles, as the protocol defines it (`{"type": "text"}`)."""
    return "".join(
        c["text"] for c in chunks if isinstance(c, dict) and c.get("type") == "text" and isinstance(c.get("text"), str)
    )


def entry_chunks(entry: Any) -> list[Any]:
    """The chunks of a stored stream: its body file holds one JSON document per line."""
    chunks: list[Any] = []
    raw = read_head(entry.body_path, STREAM_HEAD_BYTES).decode("utf-8", "replace") if entry.body_path else ""
    for line in raw.splitlines():
        if not line.strip():
            continue
        try:
            chunks.append(json.loads(line))
        except ValueError:
            chunks.append(line)
    return chunks


def assembled_text(text: str) -> Text:
    if len(text) > PRETTY_LIMIT:
        text = text[:PRETTY_LIMIT] + f"\n… cut at {PRETTY_LIMIT} characters"
    return safe_text(text)


def chunk_line(chunk: Any) -> str:
    """One line of the live chunk log (the Log widget shows plain text, never markup)."""
    line = chunk if isinstance(chunk, str) else json.dumps(chunk, ensure_ascii=False, default=str)
    return clean(line, single_line=True)[:2000]


# -- the other tabs ------------------------------------------------------------------------------


def request_view(call: Call) -> RenderableType:
    if not call.request_body:
        return Text("(nothing sent)", style="dim")
    try:
        return json_view(pretty_json(json.loads(call.request_body)))
    except ValueError:
        return raw_text(call.request_body)


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


def raw_view(call: Call) -> Text:
    outcome = call.outcome
    if outcome is not None:
        head = outcome.exchange.body_head
        if not head and isinstance(outcome, Binary):
            head = outcome.head
        return raw_text(head) if head else Text("(empty body)", style="dim")
    if call.entry is not None:
        head = read_head(call.entry.body_path)
        if head:
            return raw_text(head)
        inline = call.entry.result_inline
        if inline is not None:
            text = inline if isinstance(inline, str) else json.dumps(inline, ensure_ascii=False)
            return raw_text(text[:HEAD_BYTES])
        return Text("(no body kept)", style="dim")
    if call.chunks:
        return raw_text("\n".join(chunk_line(c) for c in call.chunks)[:HEAD_BYTES])
    return Text("(no response yet)", style="dim")
