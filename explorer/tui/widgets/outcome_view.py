"""The tabs for the highlighted call: View, Result, Request, Headers, Raw.

View is there only when a driver view (`views.drivers`) understands the call: a chat transcript, a table,
an image, audio, OCR blocks, a binary's facts. It is then the tab shown first.

What the tabs show is made by `views.render.prepare` in a thread worker and arrives in batches, so a
result of many megabytes never holds the event loop: its first lines show while the rest is formatted.
A stream being received is shown from its bounded tail; `flush_stream` appends only what is new.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Log, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from ..calls import Call
from ...terminal_text import clean
from ..views import render
from .text_view import FindBar, TextView

if TYPE_CHECKING:
    from ..views.drivers import DriverView

MAX_LOG_LINES = 5000


class OutcomeView(Vertical):
    HELP = """\
## Outcome
What the highlighted call gave back.

- **View** (when the call is one a view understands): a chat as a conversation (a reply box under it
  continues it), lists as a sortable table (**c** copies a cell, **s** sorts by a column), images,
  audio with its waveform, OCR text blocks; for bytes: **o** (**F9** from anywhere) opens them with the
  system's application, **s** (**F10**) saves a copy. **F7** comes here from anywhere (a chat: its reply box).
- **Result**: the JSON result; for a driver error its code, normalised code, message and status;
  for a binary the saved file, content type, size, sha256 and a hex dump of its head; for a stream
  the chunks as they arrive and the text they assemble.
- **Request**: the exact JSON body sent (the token is never in it).
- **Headers**: the response status and headers.
- **Raw**: the head of the response body as text, control characters escaped.

In a result: **/** finds text (**n** / **N**: next / previous match), **c** copies the line under
the cursor, **C** copies all of it. Only what is on screen is drawn, so results of any size scroll freely.
"""

    DEFAULT_CSS = """
    /* Definite heights all the way down: a text view must never grow to the size of its content. */
    OutcomeView #outcome-tabs, OutcomeView ContentSwitcher, OutcomeView TabPane {
        height: 1fr;
    }
    OutcomeView TabPane {
        padding: 0;
    }
    OutcomeView #view-host {
        height: 1fr;
    }
    OutcomeView #result-summary {
        padding: 0 1;
        height: auto;
        max-height: 8;
    }
    OutcomeView #result-note {
        padding: 0 1;
        height: auto;
        color: $warning;
        display: none;
    }
    OutcomeView #result-body {
        height: 2fr;
    }
    OutcomeView #result-chunks {
        height: 1fr;
        border-top: hkey $primary-darken-2;
        display: none;
    }
    """

    BINDINGS = [Binding("slash,ctrl+f", "find", "Find", show=False)]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.call: Call | None = None
        self._live: Call | None = None  # the stream being shown from its tail, as it arrives
        self._generation = 0  # bumped whenever what is shown starts again; stale batches are dropped
        self._text_seen = 0  # characters of the live stream already in the body view
        self._chunks_seen = 0  # chunks of the live stream already in the log
        self._view: DriverView | None = None

    def compose(self) -> ComposeResult:
        with TabbedContent(id="outcome-tabs", initial="tab-result"):
            with TabPane("View", id="tab-view"):
                yield Vertical(id="view-host")
            with TabPane("Result", id="tab-result"):
                yield Static(Text("no call selected", style="dim"), id="result-summary")
                yield Static(id="result-note")
                yield FindBar(id="result-find")
                yield TextView(language="json", id="result-body")
                yield Log(max_lines=MAX_LOG_LINES, id="result-chunks")
            with TabPane("Request", id="tab-request"):
                yield TextView(language="json", id="request-body")
            with TabPane("Headers", id="tab-headers"):
                with VerticalScroll():
                    yield Static(id="headers-body")
            with TabPane("Raw", id="tab-raw"):
                yield TextView(language="text", id="raw-body")

    def on_mount(self) -> None:
        self.tabs.hide_tab("tab-view")

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one(TabbedContent)

    @property
    def driver_view(self) -> DriverView | None:
        """The view in the View tab, if the highlighted call has one."""
        return self._view

    def can(self, action: str) -> bool:
        """Whether the screen's focus_view, open_answer or save_answer has something to act on, from outside the
        view: inside it, the footer shows the view's own keys instead (the screen's keys still work there)."""
        view = self._view
        if view is None or view.has_focus_within:
            return False
        return action == "focus_view" or view.holds_bytes

    def focus_view(self) -> None:
        """The View tab, and the focus in its view (a chat: the reply box)."""
        if self._view is not None:
            self.tabs.active = "tab-view"
            self._view.take_focus()

    def open_answer(self) -> None:
        if self._view is not None and self._view.holds_bytes:
            self._view.action_open_binary()

    def save_answer(self) -> None:
        if self._view is not None and self._view.holds_bytes:
            self._view.action_save_binary()

    @property
    def body(self) -> TextView:
        return self.query_one("#result-body", TextView)

    @property
    def chunk_log(self) -> Log:
        return self.query_one("#result-chunks", Log)

    @property
    def busy(self) -> bool:
        """Still formatting what is to be shown."""
        return any(w.group == "outcome-render" and not w.is_finished for w in self.workers)

    # -- showing a call --------------------------------------------------------------------------

    def show(self, call: Call | None) -> None:
        """Show a call (again): called when it is highlighted and whenever it changes."""
        same = call is self.call
        self.call = call
        self._live = None
        self._generation += 1
        self._show_view(call)
        if call is None:
            self._apply(self._generation, None, None, same=False)
            return
        if call.outcome is None and call.entry is None and call.stream is not None:
            self._show_live_stream(call)
            return
        if not same:
            self.query_one("#result-summary", Static).update(Text("…", style="dim"))
        self._prepare(call, self._generation, same)

    def _show_view(self, call: Call | None) -> None:
        """Put the driver view for `call` in the View tab (made active when the view is new), or hide the tab."""
        from ..views.drivers import view_for  # loaded with the first call shown, not at start-up

        view_class = view_for(call)
        current = self._view
        if current is not None and call is not None and type(current) is view_class and current.call is call:
            current.show(call)  # the same call, changed: the view keeps its state (a stream drawn so far)
            return
        if current is not None:
            current.remove()
            self._view = None
        tabs = self.tabs
        if view_class is None or call is None:
            self.screen.refresh_bindings()
            if tabs.active == "tab-view":
                tabs.active = "tab-result"
            tabs.hide_tab("tab-view")
            return
        self._view = view_class(call)
        self.query_one("#view-host", Vertical).mount(self._view)
        tabs.show_tab("tab-view")
        tabs.active = "tab-view"
        self.screen.refresh_bindings()  # the footer's View, Open and Save keys follow the view

    # A fixed description: Textual would otherwise repr() the arguments (a whole parsed result) on the loop.
    @work(thread=True, exclusive=True, group="outcome-render", exit_on_error=False, description="format the outcome")
    def _prepare(self, call: Call, generation: int, same: bool) -> None:
        worker = get_current_worker()
        prepared = render.prepare(call)
        batches = prepared.body.batches if prepared.body is not None else iter(())
        first = next(batches, [])
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self._apply, generation, prepared, first, same=same)
        for batch in batches:
            if worker.is_cancelled or generation != self._generation:
                return
            self.app.call_from_thread(self._extend, generation, batch)

    def _apply(self, generation: int, prepared: render.Prepared | None, first: list[str] | None, *, same: bool) -> None:
        if generation != self._generation:
            return
        summary = self.query_one("#result-summary", Static)
        note = self.query_one("#result-note", Static)
        body = self.body
        if prepared is None:
            summary.update(Text("no call selected", style="dim"))
            note.display = False
            body.set_lines([])
            self.query_one("#request-body", TextView).set_lines([])
            self.query_one("#headers-body", Static).update("")
            self.query_one("#raw-body", TextView).set_lines([])
            self.chunk_log.display = False
            return
        summary.update(prepared.summary)
        body_note = prepared.body.note if prepared.body is not None else ""
        note.update(Text(body_note))
        note.display = bool(body_note)
        place = (body.scroll_offset.y, body.cursor, body.is_vertical_scroll_end) if same else None
        language = prepared.body.language if prepared.body is not None else "text"
        body.set_lines(list(first or []), language=language)
        body.display = prepared.body is not None
        if place is not None:
            scroll_y, cursor, at_end = place
            if at_end:
                body.scroll_end(animate=False, immediate=True)
            else:
                body.scroll_to(y=scroll_y, animate=False, immediate=True)
            body.cursor = min(cursor, max(0, body.row_count - 1))
        self.query_one("#request-body", TextView).set_lines(prepared.request)
        self.query_one("#headers-body", Static).update(prepared.headers)
        self.query_one("#raw-body", TextView).set_lines(prepared.raw, language="text")
        log = self.chunk_log
        log.display = prepared.chunks is not None
        if prepared.chunks is not None:
            log.clear()
            log.write_lines(prepared.chunks[-MAX_LOG_LINES:])

    def _extend(self, generation: int, lines: list[str]) -> None:
        if generation == self._generation:
            self.body.extend_lines(lines)

    # -- a stream being received -----------------------------------------------------------------

    def _show_live_stream(self, call: Call) -> None:
        tail = call.stream
        assert tail is not None
        self._live = call
        self._generation += 1  # what a formatting worker was making for this call is out of date
        self.query_one("#result-summary", Static).update(render.live_stream_summary(call))
        body_view = render.stream_body(tail.text, tail.text_chars, None)
        self.query_one("#result-note", Static).display = False
        body = self.body
        body.display = True
        body.set_lines(next(body_view.batches), language="text", follow=True)
        self._text_seen = tail.text_chars
        log = self.chunk_log
        log.display = True
        log.clear()
        log.write_lines(render.stream_chunk_lines(call))
        self._chunks_seen = tail.chunk_count
        self.query_one("#request-body", TextView).set_lines(render.request_lines(call))
        self.query_one("#headers-body", Static).update(render.headers_view(call))
        self.query_one("#raw-body", TextView).set_lines(render.raw_lines(call), language="text")

    def flush_stream(self, call: Call) -> None:
        """Show what arrived for `call` since the last flush (called at most ~20 times a second)."""
        tail = call.stream
        if call is not self.call or tail is None or call.outcome is not None:
            return
        if self._view is not None and self._view.call is call:
            self._view.flush_stream(call)
        if self._live is not call:  # the first chunks: switch from "waiting" to the live view
            self._show_live_stream(call)
            return
        new_text = tail.text_after(self._text_seen)
        if new_text is None:  # fell behind what the tail keeps: start again from the tail
            self._show_live_stream(call)
            return
        self.body.append_text(clean(new_text).expandtabs(4))
        self._text_seen = tail.text_chars
        new_chunks = tail.chunk_count - self._chunks_seen
        if new_chunks > 0:
            kept = list(tail.chunks)[-new_chunks:]
            lines = [f"… {new_chunks - len(kept)} chunks not shown"] if new_chunks > len(kept) else []
            self.chunk_log.write_lines(lines + [render.chunk_line(c) for c in kept])
            self._chunks_seen = tail.chunk_count
        self.query_one("#result-summary", Static).update(render.live_stream_summary(call))

    # -- find and copy ---------------------------------------------------------------------------

    def action_find(self) -> None:
        self.tabs.active = "tab-result"
        self.query_one(FindBar).open()

    @on(FindBar.Find)
    def _find(self, event: FindBar.Find) -> None:
        event.stop()
        self.body.find(event.needle, again=True)
        if not event.needle:
            self.body.focus()

    @on(TextView.CopyRequested)
    def _copy(self, event: TextView.CopyRequested) -> None:
        event.stop()
        self.app.copy_to_clipboard(event.text)
        self.notify(f"copied {event.what} ({len(event.text)} characters), where the terminal allows it")
