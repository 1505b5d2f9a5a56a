"""Result views that understand a driver: chosen for the highlighted call by interface, method and answer.

Each view is a `DriverView` widget class with `matches(call)`; the outcome view shows the first one in
`VIEWS` that matches, in a "View" tab before the generic ones. A view for another interface is one module
with one such class, and one line here. What a view reads from an answer (transcript, table, WAV facts, OCR
blocks) is computed in `explorer.driver_views`, without widgets, where the CLI's `--view` finds it too;
these modules only draw it.
"""

from __future__ import annotations

import logging

from ...calls import Call
from .audio import AudioView
from .base import DriverView
from .binary import BinaryView
from .chat import ChatView, ContinueConversation
from .image import ImageView, prepare_terminal_graphics
from .ocr import OcrView
from .table import TableView

# The first view that matches is shown: specific ones first, the catch-all for bytes last.
VIEWS: list[type[DriverView]] = [ChatView, TableView, ImageView, AudioView, OcrView, BinaryView]

log = logging.getLogger(__name__)


def view_for(call: Call | None) -> type[DriverView] | None:
    """The view class for `call`, or None when only the generic tabs fit it."""
    if call is None:
        return None
    for view in VIEWS:
        try:
            if view.matches(call):
                return view
        except Exception:  # a view's test must never stop the call from being shown: logged, the next is tried
            log.warning("%s could not judge %s", view.__name__, call.title, exc_info=True)
    return None


__all__ = [
    "VIEWS", "AudioView", "BinaryView", "ChatView", "ContinueConversation", "DriverView", "ImageView", "OcrView",
    "TableView", "prepare_terminal_graphics", "view_for",
]
