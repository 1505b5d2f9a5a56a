"""Server text is data: show it as plain text with terminal control characters made visible.

Every string that came from a server (names, errors, results, headers) goes through `clean` or
`safe_text` before it reaches a widget, so it is never parsed as markup and never drives the terminal.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..terminal_text import clean

__all__ = ["clean", "safe_text"]


def safe_text(value: Any, style: str = "", *, single_line: bool = False) -> Text:
    """A Rich `Text` holding `value` literally: never parsed as markup, controls escaped."""
    return Text(clean(value, single_line=single_line), style=style)
