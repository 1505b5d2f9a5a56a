"""What every driver view shares: the widget base class and cheap ways to read what a call gave back.

A view is a widget made for one highlighted call. `matches(call)` runs on the event loop for every
highlight, so it only looks at names, kinds and (for past calls) the first character of the stored JSON;
parsing, reading files and decoding happen in the view's own thread worker.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.css.query import NoMatches
from textual.widget import Widget

from ...calls import Call
from ...safe import clean
from ....protocol.outcomes import Binary, Result

MAX_DATA_URI_CHARS = 64 * 1024 * 1024  # a data URI longer than this is not decoded by a view


class DriverView(Widget):
    """A result view for some interface and method. Subclasses set `matches` and fill themselves in.

    The outcome view makes one for the highlighted call when `matches(call)` holds, calls `show(call)`
    again whenever that call changes (a stream that ends, an answer that arrives) and `flush_stream(call)`
    while a stream is being received.
    """

    DEFAULT_CSS = """
    DriverView {
        height: 1fr;
    }
    """

    def __init__(self, call: Call) -> None:
        super().__init__()
        self.call = call

    @classmethod
    def matches(cls, call: Call) -> bool:
        raise NotImplementedError

    def on_mount(self) -> None:
        try:
            self.refresh_view()
        except NoMatches:  # replaced by the view of another call before its parts were mounted
            pass

    def show(self, call: Call) -> None:
        """The same call again, or changed (it finished): show what it has now."""
        self.call = call
        if self.is_mounted:  # otherwise on_mount shows it
            try:
                self.refresh_view()
            except NoMatches:
                pass

    def refresh_view(self) -> None:
        """Fill the view from `self.call` (start a worker for anything heavy)."""

    def flush_stream(self, call: Call) -> None:
        """Chunks arrived for `call` since the last flush (only views of streaming methods care)."""

    def alive(self) -> bool:
        """Still on screen: a worker's result for a view that was replaced is dropped."""
        return self.is_attached and self.is_mounted


# -- what a call gave back ---------------------------------------------------------------------


def is_method(call: Call, interface: str, *methods: str) -> bool:
    return call.interface == interface and (not methods or call.method in methods)


def has_json_result(call: Call, starts: str = "") -> bool:
    """A JSON result that a view can read: in memory, or stored inline (optionally starting with one of `starts`)."""
    outcome = call.outcome
    if isinstance(outcome, Result):
        return outcome.saved_path is None and (not starts or _starts_with(outcome.value, starts))
    if outcome is None and call.entry is not None and call.kind == "result":
        inline = call.entry.result_inline
        return isinstance(inline, str) and (not starts or inline.lstrip()[:1] in starts)
    return False


def _starts_with(value: Any, starts: str) -> bool:
    first = {dict: "{", list: "[", str: '"'}.get(type(value), "")
    return bool(first) and first in starts


def result_value(call: Call) -> tuple[bool, Any]:
    """(True, the JSON result) when there is one to read; parses a stored one, so: call it in a thread."""
    outcome = call.outcome
    if isinstance(outcome, Result):
        return (outcome.saved_path is None, outcome.value)
    if outcome is None and call.entry is not None and call.kind == "result":
        inline = call.entry.result_inline
        if isinstance(inline, str):
            try:
                return True, json.loads(inline)
            except ValueError:
                return False, None
    return False, None


def content_type_of(call: Call) -> str:
    """The content type of a binary answer ("" when the call has none)."""
    if isinstance(call.outcome, Binary):
        return call.outcome.content_type or ""
    if call.outcome is None and call.entry is not None and call.kind == "binary":
        return call.entry.content_type or ""
    return ""


def is_binary(call: Call) -> bool:
    return isinstance(call.outcome, Binary) or (call.outcome is None and call.entry is not None and call.kind == "binary")


@dataclass
class BinarySource:
    """Bytes a view shows and can save or open: a saved file, or the data of a data URI (decoded in a thread)."""

    content_type: str
    path: Path | None = None
    size: int | None = None
    sha256: str | None = None
    data_uri: str | None = None
    data: bytes | None = None
    suggested_name: str = "answer.bin"

    def read(self, limit: int | None = None) -> bytes:
        """The bytes (the first `limit` of them); decodes a data URI. Meant for a thread."""
        if self.path is not None:
            with open(self.path, "rb") as handle:
                return handle.read() if limit is None else handle.read(limit)
        if self.data is None and self.data_uri is not None:
            self.content_type, self.data = decode_data_uri(self.data_uri)
            self.size = len(self.data)
        data = self.data or b""
        return data if limit is None else data[:limit]


def binary_source(call: Call) -> BinarySource | None:
    """Where the bytes of a binary answer are (no I/O)."""
    outcome = call.outcome
    if isinstance(outcome, Binary):
        return BinarySource(outcome.content_type or "", Path(outcome.path), outcome.size, outcome.sha256,
                            suggested_name=Path(outcome.path).name)
    if outcome is None and call.entry is not None and call.kind == "binary" and call.entry.body_path:
        entry = call.entry
        return BinarySource(entry.content_type or "", Path(entry.body_path), entry.size, entry.body_sha256,
                            suggested_name=Path(entry.body_path).name)
    return None


_DATA_URI = re.compile(r"data:([^;,]*)((?:;[^;,]*)*),", re.IGNORECASE)


def decode_data_uri(uri: str) -> tuple[str, bytes]:
    """(content type, bytes) of a `data:` URI; raises ValueError for one that is not."""
    match = _DATA_URI.match(uri)
    if match is None:
        raise ValueError("not a data: URI")
    if len(uri) > MAX_DATA_URI_CHARS:
        raise ValueError(f"a data: URI of {len(uri)} characters is too long to decode here")
    content_type = match.group(1) or "text/plain"
    payload = uri[match.end():]
    if ";base64" in match.group(2).lower():
        try:
            return content_type, base64.b64decode(payload, validate=False)
        except (binascii.Error, ValueError) as error:
            raise ValueError(f"bad base64 in the data: URI ({error})") from None
    from urllib.parse import unquote_to_bytes

    return content_type, unquote_to_bytes(payload)


EXTENSIONS = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp", "image/svg+xml": ".svg",
    "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/wave": ".wav", "audio/mpeg": ".mp3", "audio/ogg": ".ogg",
    "audio/webm": ".webm", "audio/flac": ".flac", "video/mp4": ".mp4",
}


def extension_for(content_type: str) -> str:
    return EXTENSIONS.get(content_type.split(";")[0].strip().lower(), ".bin")


# -- showing -----------------------------------------------------------------------------------


def shown_path(path: Any) -> str:
    """How a saved file's path is shown (one place, so that a snapshot can make it fixed)."""
    return clean(str(path), single_line=True)


def facts(*pairs: tuple[str, Any]) -> Text:
    """`label: value` lines of data (never markup); pairs with no value are left out."""
    text = Text()
    for label, value in pairs:
        if value is None or value == "":
            continue
        if text:
            text.append("\n")
        text.append(f"{label}: ", style="bold")
        text.append(value if isinstance(value, Text) else Text(clean(value)))
    return text


def compact_json(value: Any, limit: int | None = None) -> str:
    """One line: a string as it is, anything else as compact JSON; cut to `limit` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = clean(text, single_line=True)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text
