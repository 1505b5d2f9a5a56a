"""The args editor: a JSON TextArea for one method, with its service, test mode and live validation.

Selecting a method fills the editor with the required parameters (`template_args`); optional ones are
listed below it with their known limits, not inserted. The args and the test-mode switch last used for each
(interface, method) are remembered for the session. Invalid JSON is reported with its line and column, and
`request()` refuses to build a call.

What the explorer knows beyond the parameters (`hints`) shows here too: a method that costs money starts
with test mode on where the server honours it, and a line says what the call costs; a key picks a model
from the server's own list (fetched once per server and generation, without a history entry); and the call
selected in the history, when it ended in a 401, 402, 403 or 429, gets a line saying what to do.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import Worker

from ...protocol.catalog import Catalog, Method, missing_required, template_args
from ...protocol.outcomes import Outcome, Result
from ...protocol.request import CallRequest
from .. import hints, keymap
from ..hints import ModelChoice
from ...terminal_text import clean, safe_text
from .catalog_tree import node_label
from .history_pane import HistoryPane

if TYPE_CHECKING:
    from ..seams import ExplorerSession


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
checked as you type: invalid JSON shows its line and column and cannot be sent.

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
        self.interface: str | None = None
        self.method: str | None = None
        self._remembered: dict[tuple[str, str], str] = {}
        self._test_modes: dict[tuple[str, str], bool] = {}
        # Model names per (server, generation, interface): fetched once, then reused.
        self._models: dict[tuple[str, str | None, str], list[ModelChoice]] = {}
        self.model_fetches = 0  # server round trips made for model lists
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
        yield TextArea.code_editor("", language="json", theme="monokai", id="args")
        yield Static(id="args-status")
        yield Static(id="args-hint")
        yield Static(id="args-optional")

    def on_mount(self) -> None:
        # The history lives elsewhere on the screen: listen for calls finishing and selections changing.
        self.screen.message_signal.subscribe(self, self._screen_message, immediate=True)

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
            optional.display = True
            optional.update(Text("no parameter list known for this method", style="dim italic"))
            return
        assert self.interface is not None and self.method is not None
        notes: dict[str | None, list[str]] = {}
        if self._takes_model():
            notes["model"] = [f"{_first_key('model')} picks from the server's list"]
        for limit in hints.limits(self.interface, self.method, self.generation):
            notes.setdefault(limit.param, []).append(limit.text)
        _, params = template_args(info)
        params = [p for p in params if p.name != "test_mode"]  # the test-mode switch sends it
        if not params and not notes:
            optional.update(Text(""))
            optional.display = False
            return
        optional.display = True
        text = Text()
        if params:
            text.append("optional: ", style="bold")
        for index, param in enumerate(params):
            if index:
                text.append(", ")
            text.append_text(safe_text(param.name, single_line=True))
            about = "; ".join([param.type, *notes.pop(param.name, [])])
            text.append_text(safe_text(f" ({about})", "dim", single_line=True))
        if notes:  # limits of required parameters and of the method itself
            text.append("\n" if params else "")
            text.append("limits: ", style="bold")
            lines = [f"{name}: {note}" if name else note for name, items in notes.items() for note in items]
            text.append_text(safe_text("; ".join(lines), "dim", single_line=True))
        optional.update(text)

    def _show_cost(self, args: Any) -> None:
        cost = self.query_one("#args-cost", Static)
        note = None
        if self.interface is not None and self.method is not None:
            test_mode = self.query_one("#test-mode", Checkbox).value
            note = hints.cost_note(self.interface, self.method, self.generation, test_mode, args)
        cost.display = note is not None
        cost.update(Text("$ " + note) if note else Text(""))

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
        info = self.method_info
        missing = missing_required(info, args) if info is not None else []
        broken = hints.args_warnings(self.interface, self.method, args) if self.interface and self.method else []
        if not isinstance(args, dict):
            status.update(Text("⚠ args is usually a JSON object", style="yellow"))
        elif missing:
            text = Text("⚠ missing required: ", style="yellow")
            text.append_text(safe_text(", ".join(missing), "bold yellow"))
            status.update(text)
        elif broken:
            status.update(Text("⚠ " + "; ".join(broken), style="yellow"))
        else:
            status.update(Text("✓ valid JSON", style="green"))
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
        session = getattr(self.app, "session", None)
        assert self.interface is not None
        return (str(getattr(session, "origin", "")), self.generation, self.interface)

    def action_pick_model(self) -> None:
        """Pick a model from the server's list (and the known ones); fetched in a worker on first use."""
        if not self._takes_model():
            self.notify("the method open in the editor takes no model from a list", severity="warning")
            return
        assert self.interface is not None
        key = self._model_key()
        choices = self._models.get(key)
        picker = ModelPicker(f"model for {self.interface}.{self.method}", choices or hints.known_models(self.interface),
                             fetching=choices is None)
        self._picker = picker
        self.app.push_screen(picker, self._model_picked)
        if choices is None:
            catalog = self.catalog
            methods = [m for m in hints.MODEL_LISTS[self.interface] if catalog and catalog.method(self.interface, m)]
            self._fetch_models(key, self.interface, self._service(), methods)

    @work(exclusive=True, group="models", exit_on_error=False, description="read the server's models")
    async def _fetch_models(self, key: tuple[str, str | None, str], interface: str, service: str | None,
                            methods: list[str]) -> None:
        session = getattr(self.app, "session", None)
        found: list[ModelChoice] = []
        problem = "this server has no model list for the interface" if not methods else "not connected"
        for method in methods if session is not None else []:
            self.model_fetches += 1
            try:
                outcome = await _call_unrecorded(session, CallRequest(interface, method, {}, service=service))
            except Exception as error:  # a model list is a convenience: never take the editor down
                problem = f"{type(error).__name__}: {error}"
                continue
            if isinstance(outcome, Result):
                found = hints.models_from_answer(outcome.value)
                if found:
                    break
                problem = f"{method} answered no model names"
            else:
                problem = f"{method}: {outcome.summary}"
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

    # -- hints for the call selected in the history --------------------------------------------

    def _screen_message(self, message: Message) -> None:
        if isinstance(message, (Worker.StateChanged, HistoryPane.Highlighted)):
            self.call_later(self._show_outcome_hint)

    def _show_outcome_hint(self) -> None:
        history = getattr(self.screen, "history", None)
        call = history.selected if isinstance(history, HistoryPane) else None
        state = (call.key, call.kind, call.status) if call is not None else None
        if state == self._hint_for:
            return
        self._hint_for = state
        hint = hints.outcome_hint(call) if call is not None else None
        line = self.query_one("#args-hint", Static)
        line.display = hint is not None
        if hint is not None:
            number = f"#{call.entry_id} " if call.entry_id is not None else ""
            text = Text("! ", style="bold yellow")
            text.append_text(safe_text(f"{number}{call.title}: ", "bold", single_line=True))
            text.append_text(safe_text(hint, single_line=True))
            line.update(text)
        else:
            line.update(Text(""))


async def _call_unrecorded(session: ExplorerSession, request: CallRequest) -> Outcome:
    """A call that is not a history entry (a model list is not something the user sent)."""
    connection = getattr(session, "connection", None)
    if connection is not None:
        return await connection.call(request)
    _, outcome = await session.call(request)
    return outcome


class ModelPicker(ModalScreen["str | None"]):
    """A filterable list of model names; Enter picks (the typed name when nothing matches), Escape closes."""

    DEFAULT_CSS = """
    ModelPicker {
        align: center middle;
    }
    #model-dialog {
        width: 72;
        max-width: 100%;
        height: 80%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    #model-title, #model-note {
        height: auto;
    }
    #model-list {
        height: 1fr;
    }
    """
    BINDINGS = [Binding("escape", "close", "Close"), Binding("down", "focus_list", show=False)]

    def __init__(self, title: str, choices: list[ModelChoice], *, fetching: bool, note: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.fetching = fetching
        self.note = note
        self._shown: list[ModelChoice] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="model-dialog"):
            yield Static(safe_text(self.title_text, "bold", single_line=True), id="model-title")
            yield Input(placeholder="filter; Enter picks (or takes the name as typed)", id="model-filter")
            yield OptionList(id="model-list")
            yield Static(id="model-note")

    def on_mount(self) -> None:
        self._show_choices()
        self.query_one("#model-filter", Input).focus()

    def set_models(self, choices: list[ModelChoice], note: str | None) -> None:
        self.choices, self.fetching, self.note = list(choices), False, note
        if self.is_mounted:
            self._show_choices()

    @property
    def shown(self) -> list[str]:
        return [c.name for c in self._shown]

    def _show_choices(self) -> None:
        needle = self.query_one("#model-filter", Input).value.strip().lower()
        matching = [c for c in self.choices if needle in c.name.lower() or needle in c.detail.lower()]
        matching.sort(key=lambda c: not c.name.lower().startswith(needle))  # stable: prefixes first
        self._shown = matching
        options = self.query_one("#model-list", OptionList)
        options.set_options(Option(_choice_text(c), id=f"m{i}") for i, c in enumerate(matching))
        if matching:
            options.highlighted = 0
        status = "reading the server's models…" if self.fetching else f"{len(matching)} of {len(self.choices)} models"
        text = Text(status, style="dim")
        if self.note:
            text.append("\n")
            text.append_text(safe_text(self.note, "yellow"))
        self.query_one("#model-note", Static).update(text)

    @on(Input.Changed, "#model-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._show_choices()

    @on(Input.Submitted, "#model-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        options = self.query_one("#model-list", OptionList)
        if self._shown and options.highlighted is not None:
            self.dismiss(self._shown[options.highlighted].name)
        elif event.value.strip():
            self.dismiss(event.value.strip())

    @on(OptionList.OptionSelected, "#model-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._shown[event.option_index].name)

    def action_focus_list(self) -> None:
        self.query_one("#model-list", OptionList).focus()

    def action_close(self) -> None:
        self.dismiss(None)


def _choice_text(choice: ModelChoice) -> Text:
    text = safe_text(choice.name, single_line=True)
    if choice.detail:
        text.append("  ")
        text.append_text(safe_text(choice.detail, "dim", single_line=True))
    if choice.source != "server":
        text.append("  (known without asking the server)", style="dim italic")
    return text
