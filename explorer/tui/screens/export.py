"""A modal with an exported call (curl, httpx or puter.js), selectable where there is no clipboard."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea


class ExportScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    ExportScreen {
        align: center middle;
    }
    #export-dialog {
        width: 90%;
        height: 80%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    #export-title {
        height: auto;
        margin-bottom: 1;
    }
    #export-text {
        height: 1fr;
    }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close")]

    def __init__(self, title: str, text: str, note: str) -> None:
        super().__init__()
        self._title = title
        self.text = text
        self._note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Static(Text(self._title, style="bold"), id="export-title")
            yield TextArea(self.text, read_only=True, soft_wrap=True, show_line_numbers=False, id="export-text")
            yield Static(Text(self._note + " Escape closes.", style="dim"), id="export-note")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()
