"""The tabs for the highlighted call: Result, Request, Headers, Raw.

Everything shown is built by `views.render` from data. A stream's chunks are appended to a Log as they
arrive, so a long stream is shown live without re-rendering what is already there.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Log, Static, TabbedContent, TabPane

from ..calls import Call
from ..views import render

MAX_LOG_LINES = 5000


class OutcomeView(Vertical):
    HELP = """\
## Outcome
What the highlighted call gave back.

- **Result**: the JSON result; for a driver error its code, normalised code, message and status;
  for a binary the saved file, content type, size, sha256 and a hex dump of its head; for a stream
  the chunks as they arrive and the text they assemble.
- **Request**: the exact JSON body sent (the token is never in it).
- **Headers**: the response status and headers.
- **Raw**: the head of the response body as text, control characters escaped.
"""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.call: Call | None = None
        self._logged = 0  # how many chunks of self.call are in the log

    def compose(self) -> ComposeResult:
        with TabbedContent(id="outcome-tabs"):
            with TabPane("Result", id="tab-result"):
                with VerticalScroll(id="result-scroll"):
                    yield Static(Text("no call selected", style="dim"), id="result-summary")
                    yield Static(id="result-body")
                yield Log(max_lines=MAX_LOG_LINES, id="result-chunks")
            with TabPane("Request", id="tab-request"):
                with VerticalScroll():
                    yield Static(id="request-body")
            with TabPane("Headers", id="tab-headers"):
                with VerticalScroll():
                    yield Static(id="headers-body")
            with TabPane("Raw", id="tab-raw"):
                with VerticalScroll():
                    yield Static(id="raw-body")

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one(TabbedContent)

    def on_mount(self) -> None:
        self.query_one("#result-chunks", Log).display = False

    def show(self, call: Call | None) -> None:
        """Show a call (again): called when it is highlighted and whenever it changes."""
        changed = call is not self.call
        self.call = call
        if call is None:
            self.query_one("#result-summary", Static).update(Text("no call selected", style="dim"))
            for name in ("#result-body", "#request-body", "#headers-body", "#raw-body"):
                self.query_one(name, Static).update("")
            self.query_one("#result-chunks", Log).display = False
            return
        summary, body = render.result_parts(call)
        self.query_one("#result-summary", Static).update(summary)
        body_static = self.query_one("#result-body", Static)
        body_static.update(body if body is not None else "")
        body_static.display = body is not None
        self.query_one("#request-body", Static).update(render.request_view(call))
        self.query_one("#headers-body", Static).update(render.headers_view(call))
        self.query_one("#raw-body", Static).update(render.raw_view(call))
        self._show_chunks(call, restart=changed)

    def _show_chunks(self, call: Call, *, restart: bool) -> None:
        log = self.query_one("#result-chunks", Log)
        chunks = self._chunks(call)
        log.display = bool(chunks) or call.kind == "stream"
        if restart or len(chunks) < self._logged:
            log.clear()
            self._logged = 0
        if len(chunks) > self._logged:
            log.write_lines(render.chunk_line(c) for c in chunks[self._logged :])
            self._logged = len(chunks)

    @staticmethod
    def _chunks(call: Call) -> list[Any]:
        outcome = call.outcome
        if outcome is not None and outcome.kind == "stream":
            return outcome.chunks  # type: ignore[union-attr]
        if call.entry is not None and call.entry.kind == "stream":
            return render.entry_chunks(call.entry)
        return call.chunks

    def add_chunk(self, call: Call) -> None:
        """A chunk arrived for `call`: append it to the log and refresh the assembled text."""
        if call is not self.call:
            return
        self._show_chunks(call, restart=False)
        summary, body = render.result_parts(call)
        self.query_one("#result-summary", Static).update(summary)
        body_static = self.query_one("#result-body", Static)
        body_static.update(body if body is not None else "")
        body_static.display = body is not None
