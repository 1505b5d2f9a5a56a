"""The list of calls, newest first: this session's calls, then past entries from the history store.

Past entries are loaded 20 at a time (more when the cursor nears the end, or on the load-more key).
The search box filters both: the store through `EntryFilter(text=...)`, this session's calls by text.
Every query runs in a thread worker and comes back as a `PageLoaded` message; a search is exclusive,
so a keystroke's query replaces the one before it and a stale page is dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.worker import get_current_worker

from .. import keymap
from ..calls import Call
from ...terminal_text import clean
from ..views.render import row_text

if TYPE_CHECKING:
    from ..seams import HistorySource

PAGE_SIZE = 20  # a screenful and more: the pane shows about eight entries
LOOK_ELSEWHERE_EVERY = 2.0  # seconds between looks for calls other programs recorded (the CLI, another window)


def _entry_filter(text: str, after_id: int | None = None) -> Any:
    from ...history import EntryFilter  # the store's own filter type

    return EntryFilter(text=text or None, after_id=after_id)


class CallList(OptionList):
    HELP = """\
## History
Calls of this session (newest first) and those other programs record meanwhile (the command line,
another window), then past calls from the history store.
The badge shows the outcome kind; then HTTP status, duration and size.

- **ctrl+r** replays the highlighted call (a new entry).
- **ctrl+e** loads it back into the args editor.
- **Escape** cancels it while it is in flight.
- **ctrl+l** loads more past entries (also automatic near the end of the list).
- **m** marks the highlighted call for a diff (again: unmarks it; two at most, as in compare); **d** diffs
  the two marked calls, or the marked one against the highlighted one, or a replay against its original.
- **ctrl+o** exports the highlighted call as a curl command (copied, and shown);
  the command palette (**ctrl+p**) also has `export: copy as httpx` and `export: copy as puter.js`.
"""

    BINDINGS = keymap.bindings("mark", "diff")


class HistoryPane(Vertical):
    DEFAULT_CSS = """
    HistoryPane #history-search {
        height: 3;
    }
    HistoryPane #history-list {
        height: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    HistoryPane #history-no-match {
        height: 1;
        padding: 0 2;
        color: $text-disabled;
        display: none;
    }
    """
    HELP = CallList.HELP

    class Highlighted(Message):
        def __init__(self, call: Call | None) -> None:
            self.call = call
            super().__init__()

    class PageLoaded(Message):
        """A page of past entries (as calls), read in a thread; `before` and `query` say which page it is."""

        def __init__(self, query: str, before: int | None, calls: list[Call], error: str | None = None) -> None:
            self.query, self.before, self.calls, self.error = query, before, calls, error
            super().__init__()

    class Newer(Message):
        """What other programs (the command line, another window) recorded since the newest entry listed, and
        the listed entries they have finished since."""

        def __init__(self, query: str, newer: list[Call], settled: list[Call]) -> None:
            self.query, self.newer, self.settled = query, newer, settled
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source: HistorySource | None = None  # where past calls are read (the session), if recorded
        self.calls: dict[str, Call] = {}
        self._live: list[str] = []  # keys of this session's calls, oldest first
        self._stored: list[str] = []  # keys of entries from the store, newest first
        self._more = False
        self._loading = False
        self._query = ""
        self._sent_during_search: set[str] = set()  # shown whatever the search: what was sent meanwhile
        self.marks: list[Call] = []  # at most two, oldest first: what a diff compares (as in compare)

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search history…", id="history-search")
        # A line, not an option: the list holds calls only (what its count and its rows mean stay the same).
        yield Static("no entries match", id="history-no-match")
        yield CallList(id="history-list")

    @property
    def option_list(self) -> CallList:
        return self.query_one(CallList)

    @property
    def selected(self) -> Call | None:
        option = self.option_list.highlighted_option
        return self.calls.get(option.id) if option is not None and option.id else None

    @property
    def has_more(self) -> bool:
        return self._more

    # -- this session's calls --------------------------------------------------------------------

    def add_call(self, call: Call, *, select: bool = True) -> None:
        """A call of this session, listed first and selected, whatever the search box holds: a call sent
        during a search is shown above its matches."""
        self.calls[call.key] = call
        self._live.append(call.key)
        if self._query:
            self._sent_during_search.add(call.key)
        self._render_list(select=call.key if select else None)

    def update_call(self, call: Call) -> None:
        if call.key in self.calls and self._visible(call):
            try:
                self.option_list.replace_option_prompt(call.key, self._row(call))
            except OptionDoesNotExist:  # not listed right now (a search hides it): drawn when it is listed again
                return

    # -- the store -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.set_interval(LOOK_ELSEWHERE_EVERY, self.look_elsewhere)

    def look_elsewhere(self) -> None:
        """Ask the store (in a thread) for entries newer than any listed, and again for the listed ones another
        program is still recording: both come from other programs."""
        if self.source is None or self._loading:
            return
        newest = max((c.entry_id for c in self.calls.values() if c.entry_id is not None), default=0)
        pending = [self.calls[k].entry_id for k in self._stored if self.calls[k].kind == "pending"][:PAGE_SIZE]
        self._fetch_newer(self.source, self._query, newest, pending)

    @work(thread=True, exclusive=True, group="history-newer", exit_on_error=False, description="read newer history")
    def _fetch_newer(self, source: HistorySource, query: str, after: int, pending: list[int]) -> None:
        try:
            newer = [Call.from_entry(e) for e in source.entries(limit=PAGE_SIZE, filter=_entry_filter(query, after))]
            settled = [Call.from_entry(e) for e in map(source.entry, pending) if e is not None and e.kind != "pending"]
        except Exception:  # a damaged or vanished store: the next page read says so
            return
        if (newer or settled) and not get_current_worker().is_cancelled:
            self.post_message(self.Newer(query, newer, settled))

    @on(Newer)
    def _newer(self, event: Newer) -> None:
        event.stop()
        if event.query != self._query or self.source is None:
            return
        if len(event.newer) == PAGE_SIZE:  # more than a page arrived: the list starts again, paging brings the rest
            self.reload()
            return
        highlighted = self.selected
        for call in event.settled:
            if call.key in self.calls:
                self.calls[call.key] = call
                self.update_call(call)
                if highlighted is not None and highlighted.key == call.key:
                    self.post_message(self.Highlighted(call))
        known = {c.entry_id for c in self.calls.values()} | self.source.recorded_here
        fresh = [call for call in event.newer if call.entry_id not in known]
        if fresh:
            self.calls.update((call.key, call) for call in fresh)
            self._stored[:0] = [call.key for call in fresh]  # newest first, above the entries listed before
            self._render_list(select=None)

    def reload(self) -> None:
        """Start the stored part of the list again (after a search change)."""
        self._more = self.source is not None
        self._fetch(None)

    def load_more(self) -> bool:
        """Ask for the next page of past entries; False when there is none to ask for."""
        if self.source is None or not self._more or self._loading:
            return False
        before = min((self.calls[k].entry_id for k in self._stored), default=None)
        self._fetch(before)
        return True

    @property
    def loading(self) -> bool:
        return self._loading

    def _fetch(self, before: int | None) -> None:
        if self.source is None:
            return
        self._loading = True
        self._fetch_page(self.source, self._query, before)

    @work(thread=True, exclusive=True, group="history-page", exit_on_error=False, description="read history")
    def _fetch_page(self, source: HistorySource, query: str, before: int | None) -> None:
        kwargs: dict[str, Any] = {"limit": PAGE_SIZE}
        if before is not None:
            kwargs["before_id"] = before
        if query:
            kwargs["filter"] = _entry_filter(query)
        try:
            calls, error = [Call.from_entry(entry) for entry in source.entries(**kwargs)], None
        except Exception as why:  # a damaged or vanished store: say so, keep the list as it is
            calls, error = [], f"{type(why).__name__}: {why}"
        if not get_current_worker().is_cancelled:
            self.post_message(self.PageLoaded(query, before, calls, error))

    @on(PageLoaded)
    def _page_loaded(self, event: PageLoaded) -> None:
        event.stop()
        current = min((self.calls[k].entry_id for k in self._stored), default=None) if event.before else None
        if event.query != self._query or event.before != current:
            return  # a page for an older search or an older end of the list
        self._loading = False
        if event.error is not None:
            self._more = False
            self.notify(clean(event.error), title="History", severity="warning", markup=False)
            return
        if event.before is None:
            for key in self._stored:
                self.calls.pop(key, None)
            self._stored = []
        self._more = len(event.calls) == PAGE_SIZE
        # This session's calls are listed as such, also those still in flight (their entry ids not known yet).
        own = self.source.recorded_here if self.source is not None else set()
        live_ids = {self.calls[k].entry_id for k in self._live} | own
        for call in event.calls:
            if call.entry_id in live_ids:
                continue
            self.calls[call.key] = call
            self._stored.append(call.key)
        self._render_list(select=None)

    @property
    def marked(self) -> Call | None:
        """The oldest mark (with two marks, the side a diff starts from)."""
        return self.marks[0] if self.marks else None

    def toggle_mark(self, call: Call) -> bool:
        """Mark `call`, or take its mark away; two at most (a third replaces the oldest). True: now marked."""
        before = list(self.marks)
        if any(m.key == call.key for m in self.marks):
            self.marks = [m for m in self.marks if m.key != call.key]
        else:
            self.marks = (self.marks + [call])[-2:]
        for changed in {c.key: c for c in before + self.marks}.values():
            self.update_call(changed)
        return any(m.key == call.key for m in self.marks)

    # -- rendering -------------------------------------------------------------------------------

    def _row(self, call: Call) -> Any:
        return row_text(call, marked=any(m.key == call.key for m in self.marks))

    def _visible(self, call: Call) -> bool:
        if not self._query or call.entry is not None or call.key in self._sent_during_search:
            return True  # stored entries were already filtered by the store
        needle = self._query.lower()
        haystack = " ".join(str(x) for x in (call.title, call.service, call.kind, call.args, call.message)).lower()
        return needle in haystack

    def _render_list(self, *, select: str | None) -> None:
        option_list = self.option_list
        shown_before = self.selected
        keep = select or (option_list.highlighted_option.id if option_list.highlighted_option else None)
        keys = [k for k in reversed(self._live) if self._visible(self.calls[k])] + self._stored
        option_list.set_options(Option(self._row(self.calls[k]), id=k) for k in keys)
        # Calls sent during the search are listed whatever it holds: they are not matches.
        no_match = bool(self._query) and all(k in self._sent_during_search for k in keys)
        self.query_one("#history-no-match", Static).display = no_match
        if keep in keys:
            option_list.highlighted = keys.index(keep)
        elif keys:
            option_list.highlighted = 0
        if select is not None:
            self.post_message(self.Highlighted(self.calls[select]))
        elif not keys and shown_before is not None:
            self.post_message(self.Highlighted(None))  # nothing listed: nothing selected, nothing shown

    @on(Input.Changed, "#history-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._query = event.value.strip()
        self._sent_during_search = set()
        if self.source is not None:
            self.reload()
        else:
            self._render_list(select=None)

    @on(Input.Submitted, "#history-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.option_list.focus()

    @on(OptionList.OptionHighlighted, "#history-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Highlighted(self.calls.get(event.option.id or "")))
        if event.option_index >= self.option_list.option_count - 5:
            self.load_more()

    def select(self, key: str) -> bool:
        """Highlight the call with this key; False when it is not in the list right now."""
        try:
            self.option_list.highlighted = self.option_list.get_option_index(key)
        except OptionDoesNotExist:
            return False
        return True
