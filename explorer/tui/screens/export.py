"""A modal with an exported call (curl, httpx or puter.js), selectable where there is no clipboard."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from .dialog import LargeDialog


class ExportScreen(LargeDialog):
    BINDINGS = [Binding("escape", "dismiss", "Close")]

    def __init__(self, title: str, text: str, note: str) -> None:
        super().__init__()
        self._title = title
        self.text = text
        self._note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Static(Text(self._title, style="bold"), id="export-title", classes="dialog-title")
            yield TextArea(self.text, read_only=True, soft_wrap=True, show_line_numbers=False, id="export-text",
                           classes="dialog-body")
            yield Static(Text(self._note + " Escape closes.", style="dim"), id="export-note")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()
