"""A modal that takes most of the screen: a title, a body that fills it, a note (the diff, an export)."""

from __future__ import annotations

from textual.screen import ModalScreen


class LargeDialog(ModalScreen[None]):
    DEFAULT_CSS = """
    LargeDialog {
        align: center middle;
    }
    LargeDialog .dialog {
        width: 90%;
        height: 80%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    LargeDialog .dialog-title {
        height: auto;
        margin-bottom: 1;
    }
    LargeDialog .dialog-body {
        height: 1fr;
    }
    """
