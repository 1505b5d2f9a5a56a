"""The main screen: method tree | args editor | history and outcome, with the calls it runs.

Each call runs in its own worker (group "calls", not exclusive): several may be in flight and the UI
never waits for one. Cancelling a worker cancels the HTTP request inside `Session.call`. A stream's
chunks only update the call's bounded tail; the screen shows what is new at most `FLUSH_HZ` times a second.

The first frame is the status bar, the method tree ("discovering…") and the footer: the other panes (and
the modules they need) are built right after it (`build_panes`), so starting the app waits for as little
as possible. `attach` waits for them; the screen's actions are off until they are there.

The screen passes down what a pane needs of another (the selected call's outcome hint to the editor); a
diff or an export of the selected call is made by `screens.diff` and `screens.export`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker

from .. import keymap
from ...terminal_text import clean
from ..widgets.status_bar import StatusBar

# The panes, the other screens and what the calls need are imported when first used (see `build_panes`).
if TYPE_CHECKING:
    from ...protocol.catalog import Catalog
    from ...protocol.request import CallRequest
    from ..calls import Call
    from ..seams import ExplorerSession
    from ..views.drivers import ContinueConversation
    from ..widgets.args_editor import ArgsEditor
    from ..widgets.catalog_tree import CatalogPanel, MethodRef, MethodTree
    from ..widgets.history_pane import HistoryPane
    from ..widgets.outcome_view import OutcomeView
    from .add_method import NewMethod

FLUSH_HZ = 20  # redraws of streams in flight per second, at most


class MainScreen(Screen[None]):
    # Below 110 columns the panes shrink so that all three stay on screen (down to 80x24).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = keymap.bindings(
        "send", "cancel", "replay", "edit", "add-method", "focus-tree", "focus-editor", "focus-history", "load-more",
        "export", "compare", "collections", "save-call", "focus-view", "open-answer", "save-answer",
    )

    class Ready(Message):
        """The screen is composed and can be given a session."""

    def __init__(self) -> None:
        super().__init__()
        self.session: ExplorerSession | None = None
        self.catalog: Catalog | None = None
        self._streaming: set[Call] = set()  # calls with chunks not yet shown
        self._panes_asked = False
        self._panes_built = asyncio.Event()

    def compose(self) -> ComposeResult:
        from ..widgets.catalog_tree import CatalogPanel

        yield StatusBar(id="status-bar")
        with Horizontal(id="panes"):
            yield CatalogPanel(id="catalog-panel")  # in the first frame, "discovering…"
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1 / FLUSH_HZ, self._flush_streams)
        self.post_message(self.Ready())

    def build_panes(self) -> None:
        """Build the panes now that the first frame is out (once)."""
        if not self._panes_asked:
            self._panes_asked = True
            self.call_later(self._build_panes)

    async def _build_panes(self) -> None:
        from ..widgets.args_editor import ArgsEditor
        from ..widgets.history_pane import HistoryPane
        from ..widgets.outcome_view import OutcomeView

        right = Vertical(HistoryPane(id="history-pane"), OutcomeView(id="outcome-view"), id="right-pane")
        await self.query_one("#panes", Horizontal).mount_all([ArgsEditor(id="args-editor"), right])
        self._auto_focus()
        self._panes_built.set()
        self.refresh_bindings()

    def _auto_focus(self) -> None:
        """What Textual focuses when a screen is composed, for panes that came after it (a screen
        under another one does this itself when it is shown again)."""
        auto_focus = self.app.AUTO_FOCUS if self.AUTO_FOCUS is None else self.AUTO_FOCUS
        if self.is_current and self.focused is None and auto_focus and self.app.app_focus:
            for widget in self.query(auto_focus):
                if widget.focusable:
                    self.set_focus(widget)
                    break

    @property
    def panes_built(self) -> bool:
        return self._panes_built.is_set()

    # -- parts (there once `panes_built`) -----------------------------------------------------------

    @property
    def status_bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def catalog_panel(self) -> CatalogPanel:
        return self.query_one("#catalog-panel")  # type: ignore[return-value]

    @property
    def editor(self) -> ArgsEditor:
        return self.query_one("#args-editor")  # type: ignore[return-value]

    @property
    def history(self) -> HistoryPane:
        return self.query_one("#history-pane")  # type: ignore[return-value]

    @property
    def outcome_view(self) -> OutcomeView:
        return self.query_one("#outcome-view")  # type: ignore[return-value]

    # -- the session ---------------------------------------------------------------------------

    async def attach(self, session: ExplorerSession, *, origin_label: str | None = None) -> None:
        """Use a ready session: show where it points, discover the catalogue, load the history."""
        await self._panes_built.wait()
        self.session = session
        self.editor.session = session
        bar = self.status_bar
        bar.origin = origin_label or session.origin
        bar.profile = session.profile or ""
        if session.history is not None:  # past calls are read through the session
            self.history.source = session
            self.history.reload()
        problem = session.history_problem
        if problem:
            bar.history_off = True
            self.notify(clean(f"history is off: {problem}"), title="Calls are not recorded", severity="warning",
                        markup=False, timeout=15)
        downloads = session.download_problem
        if downloads:
            self.notify(clean(downloads), title="Responses folder", severity="warning", markup=False, timeout=15)
        catalog = await session.discover()
        self.set_catalog(catalog)

    def set_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.editor.catalog = catalog
        self.catalog_panel.set_catalog(catalog)
        self.status_bar.discovering = False
        self.status_bar.generation = catalog.generation
        for error in catalog.errors:
            self.notify(clean(error), title="Discovery", severity="warning", markup=False)

    # -- opening methods -----------------------------------------------------------------------

    def open_method(self, ref: MethodRef, *, args: Any = None, test_mode: bool | None = None) -> None:
        """Show a method in the editor and give the editor the focus."""
        self.catalog_panel.select(ref)
        self.editor.open(ref.interface, ref.method, service=ref.service, args=args, test_mode=test_mode)
        self.editor.text_area.focus()

    def on_method_tree_opened(self, event: MethodTree.Opened) -> None:
        self.editor.open(event.ref.interface, event.ref.method, service=event.ref.service)
        self.editor.text_area.focus()

    def action_add_method(self) -> None:
        from .add_method import AddMethodScreen

        iface = self.editor.interface or ""
        self.app.push_screen(AddMethodScreen(iface), self._method_added)

    def _method_added(self, new: NewMethod | None) -> None:
        from ..widgets.catalog_tree import MethodRef

        if new is None or self.catalog is None:
            return
        self.catalog.add_user_method(new.interface, new.method, new.service)
        self.catalog_panel.rebuild()
        self.open_method(MethodRef(new.interface, new.method, new.service))

    # -- calls ---------------------------------------------------------------------------------

    def editor_request(self, refusal: str) -> CallRequest | None:
        """The call in the editor, or None once the user is told why it cannot be made (under `refusal`)."""
        from ..widgets.args_editor import ArgsInvalid

        if self.session is None:
            self.notify("not connected yet", severity="warning")
            return None
        try:
            return self.editor.request()
        except ArgsInvalid as why:
            self.notify(str(why), title=refusal, severity="error", markup=False)
            return None

    def action_send(self) -> None:
        request = self.editor_request("Not sent")
        if request is not None:
            self.start_call(request)

    # `views.drivers.ContinueConversation`, by its handler name: the views load when first shown, not at start-up.
    def on_continue_conversation(self, event: ContinueConversation) -> None:
        """A reply typed under a chat transcript: the next turn, linked to the one it answers."""
        event.stop()
        if self.session is not None:
            self.start_call(event.request(), replay_of=event.replay_of)

    def start_call(self, request: CallRequest, *, replay_of: int | None = None, replay_origin: str | None = None) -> Call:
        """Send a call; with `replay_origin`, it replays entry `replay_of` there (`Session.replay`)."""
        from ..calls import Call

        call = Call.live(request, self.session.request_preview(request), replay_of=replay_of)
        self.history.add_call(call)
        call.worker = self.run_worker(
            self._run_call(call, request, replay_of, replay_origin),
            name=call.title,
            group="calls",
            exclusive=False,
            exit_on_error=False,
        )
        self._count_in_flight()
        return call

    async def _run_call(self, call: Call, request: CallRequest, replay_of: int | None, origin: str | None) -> None:
        from ...protocol.outcomes import StreamTail

        def on_chunk(chunk: Any) -> None:
            if call.stream is None:
                call.stream = StreamTail()
            call.stream.add(chunk)
            self._streaming.add(call)

        def on_warning(message: str) -> None:
            self.notify(clean(message), title="History", severity="warning", markup=False, timeout=10)

        try:
            if origin is not None and replay_of is not None:
                entry_id, outcome = await self.session.replay(replay_of, args=request.args, origin=origin,
                                                              on_chunk=on_chunk, on_warning=on_warning)
            else:
                entry_id, outcome = await self.session.call(request, on_chunk=on_chunk, replay_of=replay_of,
                                                            on_warning=on_warning)
        except asyncio.CancelledError:
            call.cancelled()
            self._call_changed(call)
            raise
        except Exception as error:  # the session promises outcomes, but the UI must survive a bug
            call.kind, call.message = "failure", f"{type(error).__name__}: {error}"
            self._call_changed(call)
        else:
            call.finish(entry_id, outcome)
            self._call_changed(call)

    def _flush_streams(self) -> None:
        """Show what streams in flight received since the last tick: one redraw per call, not per chunk."""
        streaming, self._streaming = self._streaming, set()
        for call in streaming:
            if call.outcome is None:
                self.history.update_call(call)
                self.outcome_view.flush_stream(call)

    def _call_changed(self, call: Call) -> None:
        self._streaming.discard(call)
        self.history.update_call(call)
        if self.outcome_view.call is call:
            self.outcome_view.show(call)
        if self.history.selected is call:
            self.editor.show_outcome_hint(call)
        self._count_in_flight()

    def _count_in_flight(self) -> None:
        self.status_bar.in_flight = sum(1 for c in self.history.calls.values() if c.in_flight)
        self.refresh_bindings()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "calls":
            self._count_in_flight()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.panes_built:  # off (shown dimmed) until the panes are there
            return False if action == "cancel" else None
        if action == "cancel":
            selected = self.history.selected
            return bool(selected and selected.in_flight)
        if action in ("replay", "edit_entry", "mark", "diff", "export"):
            return None if self.history.selected is None else True
        if action in ("focus_view", "open_answer", "save_answer"):  # shown only while they can be done
            return self.outcome_view.can(action)
        return True

    def action_cancel(self) -> None:
        call = self.history.selected
        if call is not None and call.in_flight:
            call.worker.cancel()
            self.notify(f"cancelled {clean(call.title, single_line=True)}", markup=False)

    def action_replay(self) -> None:
        from .replay_where import replay_selected

        replay_selected(self)

    def action_edit_entry(self) -> None:
        from ..widgets.catalog_tree import MethodRef

        call = self.history.selected
        if call is None:
            return
        if self.catalog is not None and self.catalog.method(call.interface, call.method) is None:
            self.catalog.add_user_method(call.interface, call.method, call.service)
            self.catalog_panel.rebuild()
        self.open_method(MethodRef(call.interface, call.method, call.service), args=call.args, test_mode=call.test_mode)

    def action_collections(self) -> None:
        from .collection_actions import open_collections

        open_collections(self)

    def action_save_call(self) -> None:
        from .collection_actions import save_call

        save_call(self)

    def action_compare(self) -> None:
        """The editor's call on several services of its interface, side by side (screens/compare.py)."""
        from .compare import open_compare  # compare imports the editor: kept out of this module's imports

        open_compare(self)

    # -- diff and export ------------------------------------------------------------------------

    def action_mark(self) -> None:
        from .diff import mark_selected

        mark_selected(self)

    def action_diff(self) -> None:
        from .diff import diff_selected

        diff_selected(self)

    def action_export(self, fmt: str = "curl") -> None:
        from .export import show_export

        call = self.history.selected
        if call is None or (call.entry is None and self.session is None):
            self.notify("select a call in the history first", severity="warning")
            return
        show_export(self, call, fmt, self.session.origin if self.session is not None else None)

    def on_history_pane_highlighted(self, event: HistoryPane.Highlighted) -> None:
        self.outcome_view.show(event.call)
        self.editor.show_outcome_hint(event.call)
        self.refresh_bindings()

    # -- focus and paging ----------------------------------------------------------------------

    def action_focus_tree(self) -> None:
        self.catalog_panel.tree.focus()

    def action_focus_editor(self) -> None:
        self.query_one("#args").focus()

    def action_focus_history(self) -> None:
        self.history.option_list.focus()

    def action_focus_view(self) -> None:
        self.outcome_view.focus_view()

    def action_open_answer(self) -> None:
        self.outcome_view.open_answer()

    def action_save_answer(self) -> None:
        self.outcome_view.save_answer()

    def action_load_more(self) -> None:
        if self.history.source is None:
            self.notify("no history in use", severity="warning")
        elif not self.history.has_more:
            self.notify("no more history")
        else:
            self.history.load_more()
