"""The args editor: a JSON TextArea for one method, with its service, test mode and live validation.

Selecting a method fills the editor with the required parameters (`template_args`); optional ones are
listed below it with their known limits, not inserted. The args and the test-mode switch last used for each
(interface, method) are remembered for the session. Invalid JSON is reported with its line and column, and
`request()` refuses to build a call.

What the explorer knows beyond the parameters (`hints`) shows here too: a method that costs money starts
with test mode on where the server honours it, and a line says what the call costs; a key picks a model
from the server's own list (read through the session once per server and generation, without a history
entry, and offered in `screens.model_picker`); and the call selected in the history, when it ended in a 401,
402, 403 or 429, gets a line saying what to do (the screen passes that call down: `show_outcome_hint`).
The lines themselves are made in `args_notes`.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Select, Static, TextArea

from ...model_lists import ModelChoice
from ...protocol.catalog import Catalog, Method, template_args
from ...protocol.request import CallRequest
from .. import hints, keymap
from ...terminal_text import clean
from ..screens.model_picker import ModelPicker
from . import args_notes
from .catalog_tree import node_label
from .json_area import JsonArea

if TYPE_CHECKING:
    from ..calls import Call
    from ..seams import ExplorerSession

log = logging.getLogger(__name__)


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


def _first_key(binding_id: str) -> str:
    return keymap.DEFAULT_BINDINGS[binding_id][0].split(",")[0]


def test_mode_label(on: bool) -> str:
    return f"test mode: {'on' if on else 'off'}"


NARROW = 44  # below this many columns the service and test mode go one above the other


class ArgsEditor(Vertical):
    HELP = f"""\
## Args editor
The JSON `args` object sent with the call. Required parameters are filled in when a method
is opened; optional ones are listed below the editor with their known limits. The text is
checked as you type: invalid JSON shows its line and column and cannot be sent. **Enter** keeps
the line's indentation (two spaces more after `{{` or `[`); **Tab** moves on (**shift+tab** back).

- **F5** / **ctrl+j** sends the call (several calls may be in flight).
- The service picker chooses the service (driver); ★ is the interface's default.
- "test mode" sends `test_mode: true`. A method that costs money (AI generation, speech,
  OCR) starts with it on where the server honours it; the line above the args says what
  the call costs.
- **{_first_key("model")}** picks a model for `model` from the server's own list (chat, image, video).
- **{_first_key("compare")}** runs these args on several services of the interface, side by side.
- When the call selected in the history was refused (401, 402, 403) or rate limited (429),
  a line under the args says what it means on Puter and what to do.
"""
    DEFAULT_CSS = """
    ArgsEditor #editor-title {
        height: 1;
        padding: 0 1;
    }
    ArgsEditor #editor-controls {
        height: 3;
    }
    ArgsEditor #service-select {
        width: 1fr;
        min-width: 12;
    }
    ArgsEditor #service-select SelectCurrent Static#label {
        text-wrap: nowrap;  /* a long service name is cut with …, not wrapped under the arrow */
        text-overflow: ellipsis;
    }
    ArgsEditor.-narrow #editor-controls {
        layout: vertical;
        height: 2;
    }
    ArgsEditor.-narrow #service-select {
        width: 100%;
    }
    ArgsEditor.-narrow #test-mode {
        border: none;
        padding: 0 1;
        height: 1;
    }
    ArgsEditor #test-mode {
        width: auto;
    }
    ArgsEditor #args {
        height: 1fr;
    }
    ArgsEditor.-invalid #args {
        border: tall $error;
    }
    ArgsEditor #args-status {
        height: auto;
        padding: 0 1;
    }
    ArgsEditor #args-optional {
        height: auto;
        max-height: 6;
        padding: 0 1;
    }
    ArgsEditor #args-cost, ArgsEditor #args-hint {
        height: auto;
        padding: 0 1;
        display: none;
    }
    ArgsEditor #args-cost {
        color: $warning;
    }
    """
    BINDINGS = keymap.bindings("model")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.catalog: Catalog | None = None
        self.session: ExplorerSession | None = None  # given by the screen once connected
        self.interface: str | None = None
        self.method: str | None = None
        self._remembered: dict[tuple[str, str], str] = {}
        self._test_modes: dict[tuple[str, str], bool] = {}
        # Model names per (server, generation, interface): fetched once, then reused.
        self._models: dict[tuple[str, str | None, str], list[ModelChoice]] = {}
        self.model_fetches = 0  # calls made to the server for model lists
        self._picker: ModelPicker | None = None
        self._hint_for: tuple[Any, ...] | None = None

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW
        self.query_one("#service-select", Select).compact = narrow  # no border: room for the name
        self.set_class(narrow, "-narrow")  # the service and test mode one above the other, on two lines

    def compose(self) -> ComposeResult:
        yield Static(Text("no method open: pick one (ctrl+p)", style="dim"), id="editor-title")
        with Horizontal(id="editor-controls"):
            yield Select[str]([], prompt="service", allow_blank=True, id="service-select")
            yield Checkbox(test_mode_label(False), id="test-mode")
        yield Static(id="args-cost")
        yield JsonArea(id="args")
        yield Static(id="args-status")
        yield Static(id="args-hint")
        yield Static(id="args-optional")

    @property
    def generation(self) -> str | None:
        return self.catalog.generation if self.catalog is not None else None

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
            if info.parameter("model") is not None:  # e.g. chat's free model, where test mode does not help
                required.update(hints.free_args(interface, method))
            text = json.dumps(required, indent=2, ensure_ascii=False)
        else:
            text = "{}"
        self._show_title(info)
        self._fill_services(service)
        if test_mode is None:
            test_mode = self._test_modes.get((interface, method))
        if test_mode is None:
            test_mode = hints.default_test_mode(interface, method, self.generation)
        self.query_one("#test-mode", Checkbox).value = test_mode
        self.text_area.load_text(text)
        self._show_optional(info)
        self.validate()
        self.refresh_bindings()

    def remember(self) -> None:
        if self.interface is not None and self.method is not None:
            self._remembered[(self.interface, self.method)] = self.text_area.text
            self._test_modes[(self.interface, self.method)] = self.query_one("#test-mode", Checkbox).value

    def _show_title(self, info: Method | None) -> None:
        assert self.interface is not None and self.method is not None
        title = args_notes.method_title(self.catalog, self.interface, self.method, info)
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
        assert self.interface is not None and self.method is not None
        model_key = _first_key("model") if self._takes_model() else None
        note = args_notes.optional_note(self.interface, self.method, info, self.generation, model_key)
        optional = self.query_one("#args-optional", Static)
        optional.display = note is not None
        optional.update(note or Text(""))

    def _show_cost(self, args: Any) -> None:
        note = None
        if self.interface is not None and self.method is not None:
            test_mode = self.query_one("#test-mode", Checkbox).value
            note = args_notes.cost_line(self.interface, self.method, self.generation, test_mode, args)
        cost = self.query_one("#args-cost", Static)
        cost.display = note is not None
        cost.update(note or Text(""))

    @on(Checkbox.Changed, "#test-mode")
    def _test_mode_changed(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = test_mode_label(event.value)  # the state in words, not only in colour
        args, _ = parse_args(self.text_area.text)
        self._show_cost(args)

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
        status.update(args_notes.args_verdict(self.interface, self.method, self.method_info, args))
        self._show_cost(args)
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

    # -- models ------------------------------------------------------------------------------------

    def _takes_model(self) -> bool:
        info = self.method_info
        if info is None or self.interface is None or self.method is None:
            return False
        return hints.takes_model(self.interface, info.parameter("model") is not None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick_model":
            return self._takes_model()
        return True

    def _service(self) -> str | None:
        value = self.query_one("#service-select", Select).value
        if isinstance(value, str):
            return value
        iface = self.catalog.interfaces.get(self.interface) if self.catalog and self.interface else None
        return iface.preferred_service if iface else None

    def _model_key(self) -> tuple[str, str | None, str]:
        assert self.interface is not None
        return (self.session.origin if self.session is not None else "", self.generation, self.interface)

    def action_pick_model(self) -> None:
        """Pick a model from the server's list (and the known ones); read in a worker on first use."""
        if not self._takes_model():
            self.notify("the method open in the editor takes no model from a list", severity="warning")
            return
        assert self.interface is not None
        key = self._model_key()
        choices = self._models.get(key)
        known = hints.known_models(self.interface)
        picker = ModelPicker(f"model for {self.interface}.{self.method}", choices or known,
                             fetching=choices is None and self.session is not None,
                             note=None if self.session is not None else "not connected: only the known models")
        self._picker = picker
        self.app.push_screen(picker, self._model_picked)
        if choices is None and self.session is not None:
            self._fetch_models(self.session, key, self.interface, self._service())

    @work(exclusive=True, group="models", exit_on_error=False, description="read the server's models")
    async def _fetch_models(self, session: ExplorerSession, key: tuple[str, str | None, str], interface: str,
                            service: str | None) -> None:
        try:
            listed = await session.models(interface, service)
        except Exception as error:  # a model list is a convenience: the picker says what went wrong
            log.warning("reading the models of %s failed", interface, exc_info=True)
            found, problem = [], f"{type(error).__name__}: {error}"
        else:
            self.model_fetches += listed.asked
            found, problem = listed.choices, listed.problem or ""
        choices = hints.merge_models(found, interface)
        note = None
        if found:
            self._models[key] = choices
        else:  # not kept: the next pick asks again (the failure may be a passing one, such as a 429)
            note = clean(f"the server's list could not be read ({problem[:300]})", single_line=True)
        if self._picker is not None:
            self._picker.set_models(choices, note)

    def _model_picked(self, name: str | None) -> None:
        self._picker = None
        if not name:
            return
        args, error = parse_args(self.text_area.text)
        new = hints.with_model(self.text_area.text, args, name) if error is None else None
        if new is None:
            self.notify("the args must be a valid JSON object to set a model", title="Model not set",
                        severity="warning")
            return
        document = self.text_area.document
        self.text_area.replace(new, document.start, document.end)  # one undoable edit
        self.text_area.focus()

    # -- the call selected in the history ------------------------------------------------------

    def show_outcome_hint(self, call: Call | None) -> None:
        """Say what the selected call's outcome means, when a person can act on it (the screen calls this
        whenever the selection changes or the selected call ends)."""
        state = (call.key, call.kind, call.status) if call is not None else None
        if state == self._hint_for:
            return
        self._hint_for = state
        text = args_notes.outcome_hint_line(call)
        line = self.query_one("#args-hint", Static)
        line.display = text is not None
        line.update(text or Text(""))
