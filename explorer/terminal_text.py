"""Server text is data: terminal control characters made visible before anything prints it.

Used by the CLI for what it writes to a terminal and by the TUI for every string a widget shows: every
string that came from a server (names, errors, results, headers) goes through `clean` or `safe_text`, so
it is never parsed as markup and never drives the terminal.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(value: Any) -> str:
    """Pretty JSON that is safe to print: json escapes C0 controls itself; the rest become \\u escapes."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def safe_text(value: Any, style: str = "", *, single_line: bool = False) -> Text:
    """A Rich `Text` holding `value` literally (for widgets): never parsed as markup, controls escaped."""
    from rich.text import Text  # here: the CLI's commands need no Rich

    return Text(clean(value, single_line=single_line), style=style)
