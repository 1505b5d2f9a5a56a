"""Server text is data: show it as plain text with terminal control characters made visible.

Every string that came from a server (names, errors, results, headers) goes through `clean` or
`safe_text` before it reaches a widget, so it is never parsed as markup and never drives the terminal.
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text

# C0 controls except \t and \n, DEL, and C1 controls (\x9b is a one-byte CSI on some terminals).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Unicode line/paragraph separators and bidi overrides can also reorder or break a label.
_LAYOUT = re.compile(r"[\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(value: Any, *, single_line: bool = False) -> str:
    """`value` as a string with control characters replaced by visible escapes (`\\x1b`)."""
    text = value if isinstance(value, str) else str(value)
    text = (_CONTROL_SINGLE_LINE if single_line else _CONTROL).sub(_escape, text)
    return _LAYOUT.sub(_escape, text)


def safe_text(value: Any, style: str = "", *, single_line: bool = False) -> Text:
    """A Rich `Text` holding `value` literally: never parsed as markup, controls escaped."""
    return Text(clean(value, single_line=single_line), style=style)
