"""A modal with the JSON-aware diff of two calls' results (key order ignored)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class DiffScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    DiffScreen {
        align: center middle;
    }
    #diff-dialog {
        width: 90%;
        height: 80%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    #diff-title {
        height: auto;
        margin-bottom: 1;
    }
    #diff-scroll {
        height: 1fr;
    }
    """
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
        with Vertical(id="diff-dialog"):
            yield Static(title, id="diff-title")
            with VerticalScroll(id="diff-scroll"):
                yield Static(self.changes, id="diff-body")
            yield Static(Text("Escape closes.", style="dim"))
