"""A problem that keeps the app from connecting (an unreadable history or profiles file), stated plainly.
Dismissed by Escape or Close; what that does next is the caller's (said in `closing`)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ProblemScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    ProblemScreen {
        align: center middle;
    }
    #problem-dialog {
        width: 80;
        height: auto;
        border: thick $error;
        background: $surface;
        padding: 1 2;
    }
    #problem-message {
        margin: 1 0;
    }
    #problem-buttons {
        height: auto;
        align-horizontal: right;
    }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("q", "app.quit", "Quit")]

    CLOSING = "Nothing was changed. q quits; Escape closes this message (not connected)."

    def __init__(self, title: str, message: str, *, closing: str | None = None, close_label: str = "Close") -> None:
        super().__init__()
        self._title = title
        self.message = message
        self.closing = closing or self.CLOSING
        self._close_label = close_label

    def compose(self) -> ComposeResult:
        with Vertical(id="problem-dialog"):
            yield Static(Text(self._title, style="bold red"), id="problem-title")
            yield Static(Text(self.message), id="problem-message")
            yield Static(Text(self.closing, style="dim"), id="problem-closing")
            with Horizontal(id="problem-buttons"):
                yield Button("Quit", variant="error", id="problem-quit")
                yield Button(self._close_label, id="problem-close")

    @on(Button.Pressed, "#problem-quit")
    def _quit(self) -> None:
        self.app.exit()

    @on(Button.Pressed, "#problem-close")
    def _close(self) -> None:
        self.dismiss()
