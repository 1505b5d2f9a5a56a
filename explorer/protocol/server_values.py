"""Values from a server's answer, judged and quoted as data: usable names, kinds in words, bounded notes."""

from __future__ import annotations

import json
from typing import Any

from ..terminal_text import clean

NAME_MAX = 200  # characters: longer is not a name
MAX_NOTES = 20  # warnings kept per interface (and discovery errors): past it, one line says more were left out


def usable_name(value: Any) -> bool:
    """A name a server may give an interface, service, method or parameter: a short, printable string."""
    return isinstance(value, str) and 0 < len(value) <= NAME_MAX and value.isprintable() and not value.isspace()


def json_kind(value: Any) -> str:
    """What a JSON value is, in words: `a list`, `a string`, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def shown(value: Any, width: int = 60) -> str:
    """A value from a server quoted for a warning: printable, one line, short (a container only by its kind)."""
    if isinstance(value, str):
        text = clean(printable(value[: width + 1]), single_line=True)
        return '"' + (text if len(text) <= width else text[: width - 1] + "…") + '"'
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)[:width]
    return json_kind(value)


def printable(text: str, width: int = 2000) -> str:
    """Server text that can be written out (lone surrogates from JSON escapes would fail to encode), bounded."""
    cut = text[:width].encode("utf-8", "replace").decode("utf-8")
    return cut if len(text) <= width else cut[: width - 1] + "…"


def note(notes: list[str], message: str) -> None:
    """Append, up to MAX_NOTES, then once say that more were left out: a hostile answer cannot flood the UI."""
    if len(notes) < MAX_NOTES:
        notes.append(message)
    elif len(notes) == MAX_NOTES:
        notes.append("more problems were left out")
