"""The driver views as plain text, for the CLI's `--view`: no styles, no terminal escapes, fitted to a width.

Every string from a server goes through `clean`, so the output never drives the terminal.
"""

from __future__ import annotations

import io
import logging
import textwrap
import unicodedata
from pathlib import Path
from typing import Any

from ..terminal_text import clean
from . import audio, chat, image, ocr, table, view_name
from .answers import BinarySource, binary_source, human_size, result_value, size_text

MIN_COLUMN = 4  # a table column is not narrowed below this (or its header, if shorter)
BAR = 10  # characters of an OCR confidence bar


def render(answer: Any, width: int = 80, save_dir: Path | None = None) -> str | None:
    """The view of `answer` as text, or None when no view fits it. Reads files: not for an event loop.

    A data-URI image is written to a new file in `save_dir` (when given), so that it can be opened.
    """
    name = view_name(answer)
    width = max(20, width)
    if name == "chat":
        return chat_text(answer, width)
    if name == "table":
        ok, value = result_value(answer)
        return table_text(table.table_of(value), width) if ok else None
    if name == "image":
        return image_text(answer, save_dir)
    if name == "audio":
        return audio_text(audio.listen(answer), width)
    if name == "ocr":
        ok, value = result_value(answer)
        return ocr_text(ocr.ocr_blocks(value), width) if ok else None
    if name == "binary":
        source = binary_source(answer)
        return binary_text(source) if source is not None else None
    return None


# -- pieces ------------------------------------------------------------------------------------------


def cell_width(text: str) -> int:
    """Terminal cells `text` takes: wide East Asian characters take two, combining marks none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, ending in … when it was longer; padded to `width`."""
    if cell_width(text) > width:
        kept, used = [], 0
        for char in text:
            size = cell_width(char)
            if used + size > width - 1:
                break
            kept.append(char)
            used += size
        text = "".join(kept) + "…"
    return text + " " * (width - cell_width(text))


def wrapped(text: str, width: int, indent: str = "  ") -> list[str]:
    """Lines of `text` wrapped to `width` (blank lines kept), each starting with `indent`."""
    lines = []
    for line in clean(text).expandtabs(4).split("\n"):
        if not line.strip():
            lines.append("")
            continue
        lines.extend(textwrap.wrap(line, max(10, width - len(indent)), initial_indent=indent,
                                   subsequent_indent=indent, break_on_hyphens=False, drop_whitespace=True)
                     or [indent])
    return lines


def facts_text(pairs: list[tuple[str, Any]]) -> list[str]:
    """`label: value` lines with the values aligned; pairs without a value are left out."""
    pairs = [(label, value) for label, value in pairs if value is not None and value != ""]
    pad = max((len(label) for label, _ in pairs), default=0) + 2
    return [f"{label + ':':<{pad}}{clean(str(value), single_line=True)}" for label, value in pairs]


def rule(title: str, width: int) -> str:
    head = f"── {clean(title, single_line=True)} "
    return head + "─" * max(3, width - cell_width(head))


# -- chat --------------------------------------------------------------------------------------------


def turn_lines(turn: chat.Turn, width: int) -> list[str]:
    """A role's rule, then its reasoning (set apart by a bar), its tool calls and its text."""
    lines = [rule(turn.role, width)]
    if turn.reasoning:
        lines.append("  │ reasoning")
        lines.extend(line or "  │" for line in wrapped(turn.reasoning, width, "  │ "))
    lines.extend(f"  tool call {clean(tool, single_line=True)}" for tool in turn.tools)
    if turn.text:
        lines.extend(wrapped(turn.text, width))
    return lines


def chat_text(answer: Any, width: int) -> str:
    turns, left_out = chat.transcript_turns(answer.args)
    lines: list[str] = []
    if left_out:
        lines.append(f"… {left_out} earlier messages")
    for turn in turns:
        lines.extend(turn_lines(turn, width))
        lines.append("")
    reply = chat.reply_of(answer)
    if reply is None:
        lines.append("(no reply yet)")
        return "\n".join(lines)
    lines.extend(turn_lines(reply, width))
    lines.append("")
    lines.extend(facts_text([
        ("model", reply.model), ("usage", chat.usage_text(reply.usage)), ("finish", reply.finish),
        ("service", reply.service), ("error", reply.error),
    ]))
    lines.extend(f"note: {clean(note, single_line=True)}" for note in reply.notes)
    return "\n".join(lines).rstrip("\n")


# -- table -------------------------------------------------------------------------------------------


def table_text(data: table.Table, width: int) -> str:
    headers = [clean(name, single_line=True) for name in data.columns]
    rows = [[table.cell_text(value) for value in row] for row in data.rows]
    widths = [max([cell_width(h)] + [cell_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    floors = [min(w, max(MIN_COLUMN, min(cell_width(h), table.CELL_CHARS))) for w, h in zip(widths, headers)]
    hidden = 0

    def total() -> int:
        return sum(widths) + 2 * (len(widths) - 1)

    while widths and total() > width:
        widest = max(range(len(widths)), key=lambda i: widths[i] - floors[i])
        if widths[widest] > floors[widest]:
            widths[widest] -= 1
        elif len(widths) > 1:  # every column as narrow as it goes: leave the last ones out
            widths.pop(), floors.pop(), headers.pop()
            hidden += 1
        else:
            widths[0] = max(1, width)
            break
    shown = len(widths)
    note = data.note + (f" · {hidden} more column{'s' if hidden != 1 else ''} not shown (too narrow)" if hidden else "")
    lines = [clean(note, single_line=True)]
    if not headers:
        return lines[0]
    lines.append("")
    lines.append("  ".join(cut(h, w) for h, w in zip(headers, widths)).rstrip())
    lines.append("  ".join("─" * w for w in widths))
    for row in rows:
        lines.append("  ".join(cut(c, w) for c, w in zip(row[:shown], widths)).rstrip())
    return "\n".join(lines)


# -- audio, images, other bytes ----------------------------------------------------------------------


def audio_text(heard: audio.Heard, width: int) -> str:
    lines = facts_text(heard.facts)
    if heard.audio is not None:
        lines.append("waveform:")
        lines.append(audio.waveform_rows(heard.audio.peaks, width, 1)[0])
    if heard.note:
        lines.append(f"note: {clean(heard.note, single_line=True)}")
    return "\n".join(lines)


def image_text(answer: Any, save_dir: Path | None) -> str:
    source, url = image.image_source(answer)
    if source is None:
        return "\n".join(facts_text([("image", "a URL in the result"), ("url", (url or "")[:2000])])
                         + ["note: the URL is not fetched: open it yourself"])
    note = ""
    if source.path is None:  # a data URI: decode it, and keep it where it can be opened
        try:
            data = source.read()
        except ValueError as error:
            return "\n".join(facts_text([("image", "a data URI in the result")]) + [f"note: {clean(str(error))}"])
        if save_dir is not None:
            source.path = save_data(save_dir, source.suggested_name, data)
        else:
            note = "the image is in the result as a data URI (not saved)"
    pairs = [("saved to", source.path), ("content type", source.content_type or "(none given)"),
             ("image", pixel_size(source)), ("size", size_text(source.size))]
    return "\n".join(facts_text(pairs) + ([f"note: {note}"] if note else []))


def save_data(folder: Path, name: str, data: bytes) -> Path:
    """`data` in a new file in `folder` (never over an existing one)."""
    from ..protocol.bodies import new_file

    path = new_file(folder, "image", "", name)
    path.write_bytes(data)
    return path


def pixel_size(source: BinarySource) -> str | None:
    """`64 × 64 px, PNG`, when Pillow can read the image's header."""
    try:
        from PIL import Image
    except ImportError:  # Pillow is optional: the other facts still stand
        return None
    try:
        with Image.open(io.BytesIO(source.read(1024 * 1024)) if source.path is None else source.path) as opened:
            return f"{opened.size[0]} × {opened.size[1]} px, {opened.format or '?'}"
    except (OSError, Image.DecompressionBombError):  # not an image Pillow reads (or far too large): no size
        return None
    except Exception:  # a decoder may fail in any way on a hostile header; the other facts still stand
        logging.getLogger(__name__).warning("the image's size could not be read", exc_info=True)
        return None


def binary_text(source: BinarySource) -> str:
    return "\n".join(facts_text([
        ("saved to", source.path), ("content type", source.content_type or "(none given)"),
        ("size", size_text(source.size) or human_size(None)), ("sha256", source.sha256),
    ]))


# -- OCR ---------------------------------------------------------------------------------------------


def ocr_text(blocks: list[dict[str, Any]], width: int) -> str:
    if not blocks:
        return "no text blocks in this answer"
    lines = [ocr.summary(blocks)]
    for block in blocks[: ocr.MAX_BLOCKS]:
        lines.append("")
        confidence = ocr.confidence_of(block)
        if confidence is None:
            head = "confidence not given"
        else:
            filled = round(confidence * BAR)
            head = "█" * filled + "░" * (BAR - filled) + f" {confidence:4.0%}"
        kind = ocr.block_kind(block)
        lines.append(head + (f"  {clean(kind, single_line=True)}" if kind else ""))
        lines.extend(wrapped(ocr.block_text(block), width))
    if len(blocks) > ocr.MAX_BLOCKS:
        lines.append(f"… {len(blocks) - ocr.MAX_BLOCKS} more blocks (without --view, the whole result)")
    return "\n".join(lines)
