"""The args editor: a JSON TextArea for one method, with its service, test mode and live validation.

Selecting a method fills the editor with the required parameters (`template_args`); optional ones are
listed below it, not inserted. The args last used for each (interface, method) are remembered for the
session. Invalid JSON is reported with its line and column, and `request()` refuses to build a call.
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Select, Static, TextArea

from ...protocol.catalog import Catalog, Method, missing_required, template_args
from ...protocol.client import CallRequest
from ..safe import safe_text
from .catalog_tree import node_label


class ArgsInvalid(ValueError):
    """The editor holds something that cannot be sent; the message says why."""


def parse_args(text: str) -> tuple[Any, str | None]:
    """(args, error). An empty editor means `{}`."""
    if not text.strip():
        return {}, None
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, f"line {error.lineno}, column {error.colno}: {error.msg}"


class ArgsEditor(Vertical):
    HELP = """\
## Args editor
The JSON `args` object sent with the call. Required parameters are filled in when a method
is opened; optional ones are listed below the editor. The text is checked as you type:
invalid JSON shows its line and column and cannot be sent.

- **F5** / **ctrl+j** sends the call (several calls may be in flight).
- The service picker chooses the service (driver); ★ is the interface's default.
- "test mode" sends `test_mode: true`.
"""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.catalog: Catalog | None = None
        self.interface: str | None = None
        self.method: str | None = None
        self._remembered: dict[tuple[str, str], str] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text("no method open: choose one in the tree (or ctrl+p)", style="dim"), id="editor-title")
        with Horizontal(id="editor-controls"):
            yield Select[str]([], prompt="service", allow_blank=True, id="service-select")
            yield Checkbox("test mode", id="test-mode")
        yield TextArea.code_editor("", language="json", theme="monokai", id="args")
        yield Static(id="args-status")
        yield Static(id="args-optional")

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#args", TextArea)

    @property
    def method_info(self) -> Method | None:
        if self.catalog is None or self.interface is None or self.method is None:
            return None
        return self.catalog.method(self.interface, self.method)

    # -- opening a method -----------------------------------------------------------------------

    def open(
        self,
        interface: str,
        method: str,
        *,
        service: str | None = None,
        args: Any = None,
        test_mode: bool | None = None,
    ) -> None:
        """Show a method. `args` (when given) replaces the remembered or template args."""
        self.remember()
        self.interface, self.method = interface, method
        info = self.method_info
        if args is not None:
            text = json.dumps(args, indent=2, ensure_ascii=False)
        elif (interface, method) in self._remembered:
            text = self._remembered[(interface, method)]
        elif info is not None:
            required, _ = template_args(info)
            text = json.dumps(required, indent=2, ensure_ascii=False)
        else:
            text = "{}"
        self._show_title(info)
        self._fill_services(service)
        if test_mode is not None:
            self.query_one("#test-mode", Checkbox).value = test_mode
        self.text_area.load_text(text)
        self._show_optional(info)
        self.validate()

    def remember(self) -> None:
        if self.interface is not None and self.method is not None:
            self._remembered[(self.interface, self.method)] = self.text_area.text

    def _show_title(self, info: Method | None) -> None:
        title = Text()
        assert self.interface is not None and self.method is not None
        iface = self.catalog.interfaces.get(self.interface) if self.catalog else None
        title.append_text(node_label(self.interface, iface.source if iface else "user"))
        title.append(".")
        title.append_text(node_label(self.method, info.source if info else "user"))
        if info is not None and (info.streams or info.binary):
            title.append("  " + " ".join(t for t, on_ in (("streams", info.streams), ("binary", info.binary)) if on_), style="cyan")
        self.query_one("#editor-title", Static).update(title)

    def _fill_services(self, service: str | None) -> None:
        select = self.query_one("#service-select", Select)
        iface = self.catalog.interfaces.get(self.interface) if self.catalog and self.interface else None
        names = list(iface.services) if iface else []
        if service and service not in names:
            names.append(service)
        default = iface.preferred_service if iface else None
        options = [(node_label(n, iface.services[n].source if iface and n in iface.services else "user", default=n == default, default_mark=" ★"), n) for n in names]
        select.set_options(options)
        chosen = service or default
        if chosen in names:
            select.value = chosen
        else:
            select.clear()

    def _show_optional(self, info: Method | None) -> None:
        optional = self.query_one("#args-optional", Static)
        if info is None:
            optional.update(Text("no parameter list known for this method", style="dim italic"))
            return
        _, params = template_args(info)
        params = [p for p in params if p.name != "test_mode"]  # the test-mode switch sends it
        if not params:
            optional.update(Text(""))
            optional.display = False
            return
        optional.display = True
        text = Text("optional: ", style="bold")
        for index, param in enumerate(params):
            if index:
                text.append(", ")
            text.append_text(safe_text(param.name, single_line=True))
            text.append_text(safe_text(f" ({param.type})", "dim", single_line=True))
        optional.update(text)

    # -- validation ----------------------------------------------------------------------------

    @on(TextArea.Changed, "#args")
    def _args_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.validate()

    def validate(self) -> tuple[Any, str | None]:
        """Check the args and show the verdict under the editor. Returns (args, error)."""
        args, error = parse_args(self.text_area.text)
        status = self.query_one("#args-status", Static)
        if error is not None:
            status.update(Text.assemble(("✗ invalid JSON: ", "bold red"), (error, "red")))
            self.set_class(True, "-invalid")
            return None, error
        self.set_class(False, "-invalid")
        info = self.method_info
        missing = missing_required(info, args) if info is not None else []
        if not isinstance(args, dict):
            status.update(Text("⚠ args is usually a JSON object", style="yellow"))
        elif missing:
            text = Text("⚠ missing required: ", style="yellow")
            text.append_text(safe_text(", ".join(missing), "bold yellow"))
            status.update(text)
        else:
            status.update(Text("✓ valid JSON", style="green"))
        return args, None

    def request(self) -> CallRequest:
        """The call the editor describes, or ArgsInvalid saying why it cannot be sent."""
        if self.interface is None or self.method is None:
            raise ArgsInvalid("no method open: choose one in the tree first")
        args, error = self.validate()
        if error is not None:
            raise ArgsInvalid(f"the args are not valid JSON ({error})")
        self.remember()
        value = self.query_one("#service-select", Select).value
        service = value if isinstance(value, str) else None
        return CallRequest(
            interface=self.interface,
            method=self.method,
            args=args,
            service=service,
            test_mode=self.query_one("#test-mode", Checkbox).value,
        )
