"""Exporting a call as code: `show_export` copies the snippet and opens a modal with it (curl, httpx or
puter.js), selectable where there is no clipboard. The token stays in the environment ($PUTER_AUTH_TOKEN)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from ...terminal_text import clean
from .dialog import LargeDialog

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from ..calls import Call

EXPORT_NAMES = {"curl": "curl", "httpx": "httpx", "puterjs": "puter.js"}


def export_text(call: Call, fmt: str, origin: str | None) -> str:
    """`call` as a snippet in `fmt`, for the origin it was recorded on (else `origin`, the session's)."""
    from ...export import export_call

    return export_call(call.entry.origin if call.entry is not None else origin, json.loads(call.request_body), fmt)


def show_export(node: DOMNode, call: Call, fmt: str, origin: str | None) -> None:
    """Copy `call` as a snippet and show it; a request body that is not JSON is refused with a notification."""
    from ...export import TOKEN_VARIABLE
    from ..compare import label

    try:
        text = export_text(call, fmt, origin)
    except ValueError as why:
        node.notify(clean(str(why)), title="Cannot export", severity="error", markup=False)
        return
    node.app.copy_to_clipboard(text)
    note = "Copied to the clipboard (where the terminal allows it)."
    if fmt != "puterjs":
        note += f" The token is read from ${TOKEN_VARIABLE}."
    node.app.push_screen(ExportScreen(f"{label(call)} as {EXPORT_NAMES.get(fmt, fmt)}", text, note))


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
