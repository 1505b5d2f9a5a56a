"""A modal with the JSON-aware diff of two calls' results (key order ignored)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from .dialog import LargeDialog


class DiffScreen(LargeDialog):
    BINDINGS = [Binding("escape,q", "dismiss", "Close")]

    def __init__(self, old_label: str, new_label: str, changes: Text) -> None:
        super().__init__()
        self.old_label, self.new_label = old_label, new_label
        self.changes = changes

    def compose(self) -> ComposeResult:
        title = Text()
        title.append("- " + self.old_label, style="bold red")
        title.append("\n")
        title.append("+ " + self.new_label, style="bold green")
        with Vertical(id="diff-dialog", classes="dialog"):
            yield Static(title, id="diff-title", classes="dialog-title")
            with VerticalScroll(id="diff-scroll", classes="dialog-body"):
                yield Static(self.changes, id="diff-body")
            yield Static(Text("Escape closes.", style="dim"))
