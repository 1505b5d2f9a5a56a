"""What a call gave back, read without widgets: the JSON result, the bytes of a binary answer, a data URI.

Every function takes an answer: anything with `interface`, `method`, `args`, `kind`, `outcome` (an
Outcome, or None) and `entry` (a history Entry, or None). The TUI's `Call` is one; `Answer` is the
CLI's. Checks (`is_method`, `has_json_result`, `is_binary`, ...) are cheap: no parsing, no file reads.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..protocol.outcomes import Binary, Result
from ..terminal_text import clean

MAX_DATA_URI_CHARS = 64 * 1024 * 1024  # a data URI longer than this is not decoded by a view


@dataclass
class Answer:
    """A call and what it gave back: a fresh outcome, or a history entry."""

    interface: str
    method: str
    args: Any = None
    kind: str = "pending"
    outcome: Any = None
    entry: Any = None
    entry_id: int | None = None

    @classmethod
    def of_outcome(cls, interface: str, method: str, args: Any, outcome: Any, entry_id: int | None) -> Answer:
        return cls(interface, method, args, outcome.kind, outcome, None, entry_id)

    @classmethod
    def of_entry(cls, entry: Any) -> Answer:
        try:
            args = json.loads(entry.args_json) if entry.args_json else {}
        except (TypeError, ValueError):
            args = {}
        return cls(entry.interface, entry.method, args, entry.kind or "pending", None, entry, entry.id)


def is_method(answer: Any, interface: str, *methods: str) -> bool:
    return answer.interface == interface and (not methods or answer.method in methods)


def has_json_result(answer: Any, starts: str = "") -> bool:
    """A JSON result that a view can read: in memory, or stored inline (optionally starting with one of `starts`)."""
    outcome = answer.outcome
    if isinstance(outcome, Result):
        return outcome.saved_path is None and (not starts or _starts_with(outcome.value, starts))
    if outcome is None and answer.entry is not None and answer.kind == "result":
        inline = answer.entry.result_inline
        return isinstance(inline, str) and (not starts or inline.lstrip()[:1] in starts)
    return False


def _starts_with(value: Any, starts: str) -> bool:
    first = {dict: "{", list: "[", str: '"'}.get(type(value), "")
    return bool(first) and first in starts


def result_value(answer: Any) -> tuple[bool, Any]:
    """(True, the JSON result) when there is one to read; parses a stored one, so: call it in a thread."""
    outcome = answer.outcome
    if isinstance(outcome, Result):
        return (outcome.saved_path is None, outcome.value)
    if outcome is None and answer.entry is not None and answer.kind == "result":
        inline = answer.entry.result_inline
        if isinstance(inline, str):
            try:
                return True, json.loads(inline)
            except ValueError:
                return False, None
    return False, None


def content_type_of(answer: Any) -> str:
    """The content type of a binary answer ("" when the call has none)."""
    if isinstance(answer.outcome, Binary):
        return answer.outcome.content_type or ""
    if answer.outcome is None and answer.entry is not None and answer.kind == "binary":
        return answer.entry.content_type or ""
    return ""


def is_binary(answer: Any) -> bool:
    return isinstance(answer.outcome, Binary) or (
        answer.outcome is None and answer.entry is not None and answer.kind == "binary"
    )


@dataclass
class BinarySource:
    """Bytes a view shows and can save or open: a saved file, or the data of a data URI (decoded when read)."""

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


def binary_source(answer: Any) -> BinarySource | None:
    """Where the bytes of a binary answer are (no I/O)."""
    outcome = answer.outcome
    if isinstance(outcome, Binary):
        return BinarySource(outcome.content_type or "", Path(outcome.path), outcome.size, outcome.sha256,
                            suggested_name=Path(outcome.path).name)
    if outcome is None and answer.entry is not None and answer.kind == "binary" and answer.entry.body_path:
        entry = answer.entry
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


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def size_text(size: int | None) -> str | None:
    """`12.1 KB (12345 bytes)`, or None when the size is not known."""
    return f"{human_size(size)} ({size} bytes)" if size is not None else None


def compact_json(value: Any, limit: int | None = None) -> str:
    """One line: a string as it is, anything else as compact JSON; cut to `limit` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = clean(text, single_line=True)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text
