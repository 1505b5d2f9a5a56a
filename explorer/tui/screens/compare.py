"""Compare: the call in the args editor run on several services of its interface, or (where the method takes
a `model`) on several models of the server's own list, side by side.

Each run is an ordinary call made through the main screen's `start_call`, so it is a history entry and
shows in the history pane as well. The calls run in parallel in their own workers; the table reads them
ten times a second while any is in flight (it never waits for one). Two rows can be diffed (JSON-aware).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Checkbox, DataTable, Footer, Static
from textual.worker import get_current_worker

from ...history import HistoryError
from ...protocol.catalog import Interface
from ...protocol.request import CallRequest
from .. import hints
from ..calls import Call
from ..compare import call_sections, gist, label, sections_text, tokens
from ...terminal_text import clean, safe_text
from ..views.render import badge, human_duration, human_size
from .diff import DiffScreen

if TYPE_CHECKING:
    from ..seams import ExplorerSession, HistorySource

REFRESH_HZ = 10
COLUMNS = (("mark", ""), ("service", "run on"), ("outcome", "outcome"), ("status", "HTTP"), ("time", "time"),
           ("size", "size"), ("tokens", "tokens"), ("answer", "answer"))
MODEL = "model "  # how a model's row and tick box are named, beside the services' plain names


def open_compare(screen: Any) -> None:
    """Open the compare screen for the method in `screen`'s editor (the main screen's `compare` action)."""
    if screen.catalog is None:
        screen.notify("not connected yet", severity="warning")
        return
    request = screen.editor_request("Cannot compare")
    if request is None:
        return
    iface = screen.catalog.interfaces.get(request.interface)
    method = screen.catalog.method(request.interface, request.method)
    takes_model = method is not None and method.parameter("model") is not None
    screen.app.push_screen(CompareScreen(request, iface, screen.start_call, screen.history.source,
                                         session=screen.session if takes_model else None))


class CompareScreen(ModalScreen[None]):
    HELP = """\
## Compare services and models
The args of the editor, sent to each ticked service of the interface at once. Services the server
listed are ticked at first; those only the bundled catalogue knows are not. Where the method takes a
`model`, the models the server lists are offered below them ("model ..."): tick several to send the
same args once per model.

- **r** (or the Run button) runs them; each run is also an entry in the history.
- **m** (or Enter) marks the row under the cursor; **d** diffs the two marked rows
  (with one mark: that row against the cursor's; with none: the first two rows).
- **a** ticks or unticks every service. **Escape** closes (calls in flight go on).
"""
    DEFAULT_CSS = """
    CompareScreen {
        align: center middle;
    }
    #compare-dialog {
        width: 95%;
        height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    #compare-title, #compare-note {
        height: auto;
    }
    #compare-body {
        height: 1fr;
    }
    #compare-services {
        width: auto;  /* as wide as the longest name, so the answers get the rest */
        min-width: 16;
        max-width: 34;
        height: 1fr;
        border-right: vkey $primary-darken-2;
    }
    /* It takes the focus (its keys scroll a long list of models) but, transparent, would show no tint. */
    #compare-services:focus {
        background: $boost;
        border-right: vkey $accent;
    }
    #compare-services Checkbox {
        width: auto;
    }
    #compare-table {
        width: 1fr;
        height: 1fr;
    }
    #compare-buttons {
        height: auto;
        align-horizontal: right;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("r", "run", "Run"),
        Binding("m", "mark", "Mark row"),
        Binding("d", "diff", "Diff"),
        Binding("a", "toggle_all", "Tick all"),
    ]

    def __init__(
        self,
        request: CallRequest,
        interface: Interface | None,
        start: Callable[[CallRequest], Call],
        source: HistorySource | None = None,
        session: ExplorerSession | None = None,
    ) -> None:
        super().__init__()
        self.request = request
        self.start = start
        self.source = source  # where recorded calls are read back for a diff
        services = dict(interface.services) if interface is not None else {}
        default = interface.preferred_service if interface is not None else None
        names = list(services)
        if request.service and request.service not in names:
            names.append(request.service)
        listed = [n for n in names if n in services and services[n].source == "server"]
        ticked = set(listed or [n for n in (request.service or default,) if n])
        # (service, ticked at first, is the default)
        self.services: list[tuple[str, bool, bool]] = [(n, n in ticked, n == default) for n in names]
        self.session = session  # given when the method takes a model: its list is read from the server
        self.rows: dict[str, Call] = {}  # service (or "model NAME") -> its call in the current run
        self.marked: list[str] = []
        self._shown: dict[str, tuple[Any, ...]] = {}
        self._timer: Timer | None = None

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="compare-dialog"):
            yield Static(self._title(), id="compare-title")
            with Horizontal(id="compare-body"):
                with VerticalScroll(id="compare-services"):
                    for index, (name, ticked, default) in enumerate(self.services):
                        text = clean(name, single_line=True) + (" ★" if default else "")
                        yield Checkbox(Content(text), ticked, id=f"service-{index}", compact=True)
                yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="compare-note")
            with Horizontal(id="compare-buttons"):
                yield Button("Run", id="compare-run", variant="primary")
                yield Button("Diff", id="compare-diff")
                yield Button("Close", id="compare-close")
        yield Footer()  # its own keys, not the main screen's showing through

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, heading in COLUMNS:
            table.add_column(heading, key=key, width=1 if key == "mark" else None)
        self._note()
        self.query_one("#compare-run", Button).focus()
        if self.session is not None:
            self._load_models()

    @work(exclusive=True, group="compare-models", exit_on_error=False, description="read the model list")
    async def _load_models(self) -> None:
        assert self.session is not None
        listed = await self.session.models(self.request.interface, self.request.service)
        if not listed.choices:
            self._note(f"no models to compare: {listed.problem}")
            return
        boxes = self.query_one("#compare-services", VerticalScroll)
        start = len(self.services)
        for offset, choice in enumerate(listed.choices):
            self.services.append((MODEL + choice.name, False, False))
            await boxes.mount(Checkbox(Content(clean(MODEL + choice.name, single_line=True)), False,
                                       id=f"service-{start + offset}", compact=True))
        self._note()

    def _title(self) -> Text:
        request = self.request
        text = Text("Compare  ", style="bold")
        text.append_text(safe_text(f"{request.interface}.{request.method}", "bold", single_line=True))
        args = json.dumps(request.args, ensure_ascii=False)
        shown = args if len(args) <= 100 else args[:99] + "…"
        text.append_text(safe_text("  args " + shown, "dim", single_line=True))
        if request.test_mode:
            text.append("  test mode", style="cyan")
        return text

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def ticked(self) -> list[str]:
        return [name for index, (name, _, _) in enumerate(self.services)
                if self.query_one(f"#service-{index}", Checkbox).value]

    def _note(self, message: str | None = None) -> None:
        text = Text()
        if message:
            text.append_text(safe_text(message, single_line=True))
        else:
            count = len(self.ticked())
            text.append(f"{count} of {len(self.services)} ticked. "
                        "r runs, m marks a row, d diffs, a ticks all.", style="dim")
            if self.request.interface in hints.AI_INTERFACES and count > hints.AI_IN_FLIGHT:
                text.append(f"\nA free puter.com account allows {hints.AI_IN_FLIGHT} AI calls in flight: "
                            "some may answer 429.", style="yellow")
        self.query_one("#compare-note", Static).update(text)

    @on(Checkbox.Changed)
    def _ticks_changed(self, event: Checkbox.Changed) -> None:
        if not self.running:
            self._note()

    # -- running -----------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return any(call.kind == "pending" for call in self.rows.values())

    def action_run(self) -> None:
        if self.running:
            self.notify("the last run is still going", severity="warning")
            return
        services = self.ticked()
        if not services:
            self.notify("tick at least one service or model", severity="warning")
            return
        table = self.table
        table.clear()
        self.rows, self.marked, self._shown = {}, [], {}
        for service in services:
            call = self.start(self._request_for(service))
            self.rows[service] = call
            table.add_row(*self._cells(service, call), key=service)
            self._shown[service] = self._state(call)
        self._note(f"running {len(services)} calls…")
        if self._timer is None:
            self._timer = self.set_interval(1 / REFRESH_HZ, self._refresh)
        else:
            self._timer.resume()

    def _refresh(self) -> None:
        """Show what changed since the last tick; stop ticking once every call has finished."""
        table = self.table
        for service, call in self.rows.items():
            state = self._state(call)
            if state == self._shown.get(service):
                continue
            self._shown[service] = state
            for (key, _), value in zip(COLUMNS, self._cells(service, call)):
                table.update_cell(service, key, value, update_width=key != "mark")
        if not self.running and self._timer is not None:
            self._timer.pause()
            done = sum(1 for c in self.rows.values() if c.kind in ("result", "binary", "stream"))
            self._note(f"{len(self.rows)} finished, {done} with an answer. m marks two rows, d diffs them.")

    def _request_for(self, target: str) -> CallRequest:
        """The editor's call on a service, or with another `model` in its args."""
        if target.startswith(MODEL) and isinstance(self.request.args, dict):
            return replace(self.request, args={**self.request.args, "model": target[len(MODEL):]})
        return replace(self.request, service=target)

    @staticmethod
    def _state(call: Call) -> tuple[Any, ...]:
        return (call.kind, call.status, call.duration_ms, call.size, call.entry_id)

    def _cells(self, service: str, call: Call) -> tuple[Any, ...]:
        mark = Text("◆", style="bold yellow") if service in self.marked else Text("")
        status = Text(str(call.status) if call.status is not None else "-")
        return (mark, safe_text(service, single_line=True), badge(call.kind), status,
                Text(human_duration(call.duration_ms)), Text(human_size(call.size)), Text(tokens(call)), gist(call))

    # -- marking and diffing -------------------------------------------------------------------------

    def _cursor_service(self) -> str | None:
        table = self.table
        if not self.rows or table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value)

    def action_mark(self) -> None:
        service = self._cursor_service()
        if service is None:
            return
        if service in self.marked:
            self.marked.remove(service)
        else:
            self.marked = (self.marked + [service])[-2:]  # two at most: the oldest mark goes
        for name in self.rows:
            self.table.update_cell(name, "mark", self._cells(name, self.rows[name])[0])

    @on(DataTable.RowSelected, "#compare-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_mark()

    def pair(self) -> tuple[str, str] | None:
        """The two services a diff compares: the marks, a mark and the cursor, or the first two rows."""
        if len(self.marked) == 2:
            return self.marked[0], self.marked[1]
        cursor = self._cursor_service()
        if len(self.marked) == 1 and cursor is not None and cursor != self.marked[0]:
            return self.marked[0], cursor
        if not self.marked and len(self.rows) == 2:
            first, second = self.rows
            return first, second
        return None

    def action_diff(self) -> None:
        pair = self.pair()
        if pair is None:
            self.notify("mark two rows with m first", title="Nothing to diff", severity="warning")
            return
        old, new = (self.rows[s] for s in pair)
        if old.kind == "pending" or new.kind == "pending":
            self.notify("wait until both calls have finished", severity="warning")
            return
        self._diff(pair, old, new, self.source)

    @work(thread=True, exclusive=True, group="compare-diff", exit_on_error=False, description="diff two services")
    def _diff(self, services: tuple[str, str], old: Call, new: Call, source: HistorySource | None) -> None:
        """Read and compare the two values off the event loop (a body may be megabytes)."""
        try:
            text = sections_text(call_sections(old, source), call_sections(new, source))
        except (LookupError, HistoryError, OSError) as why:
            self.app.call_from_thread(self.notify, clean(str(why)), title="Cannot diff", severity="warning",
                                      markup=False)
            return
        labels = [clean(f"{service}: {label(call)}", single_line=True) for service, call in zip(services, (old, new))]
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.app.push_screen, DiffScreen(labels[0], labels[1], text))

    # -- the rest ----------------------------------------------------------------------------------

    def action_toggle_all(self) -> None:
        boxes = list(self.query(Checkbox))
        value = not all(box.value for box in boxes)
        for box in boxes:
            box.value = value

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        actions = {"compare-run": self.action_run, "compare-diff": self.action_diff, "compare-close": self.action_close}
        action = actions.get(event.button.id or "")
        if action is not None:
            action()
