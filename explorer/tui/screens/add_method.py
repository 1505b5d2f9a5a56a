"""A small modal to call a method the tree does not list: interface, service (optional), method."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


@dataclass(frozen=True)
class NewMethod:
    interface: str
    method: str
    service: str | None


class AddMethodScreen(ModalScreen[NewMethod | None]):
    DEFAULT_CSS = """
    AddMethodScreen {
        align: center middle;
    }
    #add-method-dialog {
        width: 60;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    #add-method-error {
        color: $error;
        height: auto;
    }
    #add-method-buttons {
        height: auto;
        align-horizontal: right;
    }
    """
    HELP = """\
## Add a method
Call anything the tree does not list: give the interface, the method and optionally a service.
It is added to the tree (marked "+") for this session and opened in the editor.
"""
    BINDINGS = [Binding("escape", "dismiss_none", "Close")]

    def __init__(self, interface: str = "", service: str = "") -> None:
        super().__init__()
        self._interface = interface
        self._service = service

    def compose(self) -> ComposeResult:
        with Vertical(id="add-method-dialog"):
            yield Label("Add a method", id="add-method-title")
            yield Input(self._interface, placeholder="interface, e.g. puter-kvstore", id="add-interface")
            yield Input(self._service, placeholder="service (optional)", id="add-service")
            yield Input(placeholder="method, e.g. get", id="add-method")
            yield Static(id="add-method-error")
            with Horizontal(id="add-method-buttons"):
                yield Button("Add", variant="primary", id="add-ok")
                yield Button("Cancel", id="add-cancel")

    def on_mount(self) -> None:
        self.query_one("#add-method" if self._interface else "#add-interface", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#add-ok")
    def _submit(self) -> None:
        interface = self.query_one("#add-interface", Input).value.strip()
        method = self.query_one("#add-method", Input).value.strip()
        service = self.query_one("#add-service", Input).value.strip() or None
        if not interface or not method:
            self.query_one("#add-method-error", Static).update("an interface and a method are needed")
            return
        self.dismiss(NewMethod(interface, method, service))

    @on(Button.Pressed, "#add-cancel")
    def action_dismiss_none(self) -> None:
        self.dismiss(None)
