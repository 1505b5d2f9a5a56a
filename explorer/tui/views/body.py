"""A body as the text view shows it: lines, in batches, made from data only (never from markup).

JSON is indented a batch of lines at a time (the first batch small, so that a huge result starts showing at
once); text and bytes become lines with their terminal controls made visible; a saved body is read back by
its head. `render` decides which of these each tab shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ...driver_views.answers import human_size
from ...terminal_text import clean

HEAD_BYTES = 4096  # bytes of a saved body read back for the Raw and hex views
SAVED_HEAD_BYTES = 1024 * 1024  # bytes of a saved body too large to parse that are shown as text
HEX_BYTES = 512  # bytes shown in a hex dump
FIRST_BATCH_CHARS = 16 * 1024  # the first lines of a body come quickly...
BATCH_CHARS = 512 * 1024  # ...the rest in larger batches
HEX_WIDTH = 8  # bytes per hex dump line: fits the narrow outcome pane


def hex_lines(data: bytes, limit: int = HEX_BYTES) -> list[str]:
    lines = []
    for offset in range(0, min(len(data), limit), HEX_WIDTH):
        row = data[offset : offset + HEX_WIDTH]
        hexes = " ".join(f"{b:02x}" for b in row)
        ascii_ = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in row)
        lines.append(f"{offset:04x}  {hexes:<{HEX_WIDTH * 3 - 1}}  {ascii_}")
    if len(data) > limit:
        lines.append(f"… {len(data) - limit} more bytes in the head")
    return lines or ["(empty)"]


def text_lines(data: bytes | str) -> list[str]:
    """Lines of text to show as they are: controls made visible, tabs as spaces."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    return clean(text).expandtabs(4).split("\n")


def read_head(path: Any, limit: int = HEAD_BYTES) -> bytes:
    """The first bytes of a saved body, or b"" when the file is gone."""
    if not path:
        return b""
    try:
        with Path(path).open("rb") as handle:
            return handle.read(limit)
    except OSError:
        return b""


@dataclass
class Body:
    """What the Result (or Request, Raw) tab shows under its summary: lines, in batches."""

    language: str  # "json" (highlighted) or "text"
    batches: Iterator[list[str]]
    note: str = ""  # what is not shown, and where the whole of it is


def json_batches(value: Any) -> Iterator[list[str]]:
    """Indented JSON, a batch of lines at a time (the first batch small, so that it shows at once)."""
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False, default=str)
    pieces: list[str] = []
    size, carry, limit = 0, "", FIRST_BATCH_CHARS
    try:
        for piece in encoder.iterencode(value):
            pieces.append(piece)
            size += len(piece)
            if size >= limit:
                *lines, carry = _json_lines(carry + "".join(pieces))
                pieces, size, limit = [], 0, BATCH_CHARS
                yield lines
    except RecursionError:  # a value nested deeper than the encoder goes: say so, keep what was made
        pieces.append("\n… nested too deeply to indent further; the Raw tab has the body as received")
    yield _json_lines(carry + "".join(pieces))


def _json_lines(text: str) -> list[str]:
    # JSON escapes C0 controls itself: plain ASCII without DEL has nothing to clean. Checking that is a quick
    # scan; cleaning is a regex pass that holds the interpreter for milliseconds per batch.
    if not text.isascii() or "\x7f" in text:
        text = clean(text)
    return text.split("\n")


def _once(lines: list[str]) -> Iterator[list[str]]:
    yield lines


def json_body(value: Any, note: str = "") -> Body:
    return Body("json", json_batches(value), note)


def text_body(data: bytes | str, note: str = "") -> Body:
    return Body("text", _once(text_lines(data)), note)


def hex_body(data: bytes) -> Body:
    return Body("text", _once(hex_lines(data)))


def saved_body(path: Any, size: int | None, fallback: bytes) -> Body:
    """A JSON body too large to parse: its first part, as received."""
    head = read_head(path, SAVED_HEAD_BYTES) or fallback
    note = f"… {human_size(size)} of JSON is too large to parse here; its first {human_size(len(head))} as received"
    if path:
        note += f"; the whole body is saved at {path}"
    return text_body(head, note)
