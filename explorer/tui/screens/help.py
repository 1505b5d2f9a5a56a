"""F1: the key bindings in force and what the focused widget does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    #help-dialog {
        width: 80%;
        height: 80%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    """
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close")]

    def __init__(self, bindings: list[tuple[str, str]], widget_help: str) -> None:
        super().__init__()
        self._rows = bindings
        self._widget_help = widget_help

    def compose(self) -> ComposeResult:
        keys = Text()
        width = max((len(k) for k, _ in self._rows), default=0)
        for key, description in self._rows:
            keys.append(key.ljust(width + 2), style="bold cyan")
            keys.append(description + "\n")
        with VerticalScroll(id="help-dialog"):
            yield Markdown(self._widget_help or "## Puter explorer", id="help-widget")
            yield Static(Text("Key bindings", style="bold underline"))
            yield Static(keys, id="help-keys")
            yield Static(Text("Escape closes this help.", style="dim"))
