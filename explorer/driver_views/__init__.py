"""What the driver views show, read from a call's answer without any widget: shared by the TUI and the CLI.

The TUI's views (explorer.tui.views.drivers) draw these facts as widgets; `text.render` prints them for
`puter-explorer call/replay/show --view`. Each module reads one kind of answer and has `fits(answer)`;
`view_name` picks the first that fits, in the same order as the TUI's `VIEWS`.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from . import audio, binary, chat, image, ocr, table
from .answers import Answer

# The first that fits is used: specific ones first, the catch-all for bytes last.
FITS: list[tuple[str, Callable[[Any], bool]]] = [
    ("chat", chat.fits), ("table", table.fits), ("image", image.fits), ("audio", audio.fits), ("ocr", ocr.fits),
    ("binary", binary.fits),
]


def view_name(answer: Any) -> str | None:
    """The name of the view for `answer` ("chat", "table", ...), or None when none fits it."""
    for name, fits in FITS:
        try:
            if fits(answer):
                return name
        except Exception:  # a view's test must never stop the answer from being shown: try the next one
            logging.getLogger(__name__).warning("the %s view could not judge an answer", name, exc_info=True)
    return None


__all__ = ["FITS", "Answer", "view_name"]
