"""A read-only text view that renders only the rows on screen, for results of any size.

Lines are kept as plain strings (already cleaned of terminal controls by whoever made them); a row is
styled when it is drawn, so a result of 300,000 lines costs what a screenful costs. Long lines wrap at
spaces; the row index is kept incrementally, so appending a streamed chunk costs the size of the chunk.
Find (`/`, `n`, `N`) searches in a thread worker; `c` copies the line under the cursor, `C` all of it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Iterable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input
from textual.worker import get_current_worker

COPY_LIMIT = 1024 * 1024  # characters put on the clipboard at most (it travels through the terminal)

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"(\s*:)?|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|[{}\[\],]')
_JSON_STYLES = {
    "key": Style(color="#66d9ef", bold=True),
    "string": Style(color="#a6e22e"),
    "number": Style(color="#ae81ff"),
    "literal": Style(color="#fd971f"),
    "punct": Style(dim=True),
}
_MATCH_STYLE = Style(color="black", bgcolor="yellow")
_CURSOR_STYLE = Style(bgcolor="grey23")
_HIGHLIGHT_CHARS = 20_000  # a longer line is styled on its first part only


def json_spans(line: str) -> list[tuple[int, int, Style]]:
    """Where the tokens of one line of indented JSON are, and how each is styled."""
    spans = []
    for match in _JSON_TOKEN.finditer(line, 0, _HIGHLIGHT_CHARS):
        token = match.group()
        start, end = match.span()
        if token[0] == '"':
            if match.group(1) is not None:
                spans.append((start, end - len(match.group(1)), _JSON_STYLES["key"]))
            else:
                spans.append((start, end, _JSON_STYLES["string"]))
        elif token in "{}[],":
            spans.append((start, end, _JSON_STYLES["punct"]))
        elif token[0] in "tfn":
            spans.append((start, end, _JSON_STYLES["literal"]))
        else:
            spans.append((start, end, _JSON_STYLES["number"]))
    return spans


def wrap_points(line: str, width: int) -> list[int]:
    """Where each row of `line` starts when wrapped at `width` cells, breaking after a space if one is near."""
    if width <= 0 or (len(line) <= width and (line.isascii() or cell_len(line) <= width)):
        return [0]
    starts = [0]
    if line.isascii():
        position = 0
        while len(line) - position > width:
            cut = line.rfind(" ", position + width // 2, position + width)
            position = cut + 1 if cut > position else position + width
            starts.append(position)
        return starts
    used = 0
    for index, char in enumerate(line):  # wide characters take two cells
        size = cell_len(char)
        if used + size > width:
            starts.append(index)
            used = 0
        used += size
    return starts


class TextView(ScrollView, can_focus=True):
    """Lines of text (or indented JSON), drawn a row at a time; wraps, finds and copies."""

    DEFAULT_CSS = """
    TextView {
        height: 1fr;
        padding: 0 1;
        overflow-x: hidden;
        overflow-y: auto;
    }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor_page(-1)", "Page up", show=False),
        Binding("pagedown", "cursor_page(1)", "Page down", show=False),
        Binding("home", "cursor_to(0)", "Top", show=False),
        Binding("end", "cursor_to(-1)", "End", show=False),
        Binding("n", "find_again(1)", "Next match", show=False),
        Binding("N", "find_again(0)", "Previous match", show=False),
        Binding("c", "copy_line", "Copy line"),
        Binding("C", "copy_all", "Copy all", show=False),
    ]

    cursor = reactive(0, repaint=False)  # the row under the cursor

    class CopyRequested(Message):
        def __init__(self, text: str, what: str) -> None:
            self.text, self.what = text, what
            super().__init__()

    def __init__(self, *, language: str = "text", id: str | None = None) -> None:
        super().__init__(id=id)
        self.language = language
        self.lines: list[str] = []
        self.note = ""  # said when the text is not all there (cut, still coming)
        self._row_ends: list[int] = []  # row_ends[i]: rows used by lines 0..i
        self._starts: LRUCache[int, list[int]] = LRUCache(4096)
        self._spans: LRUCache[int, list[tuple[int, int, Style]]] = LRUCache(4096)
        self._wrap_width = 0
        self._needle = ""
        self._follow = False  # keep the end in view as text is appended

    # -- content ---------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def set_lines(self, lines: list[str], *, language: str | None = None, follow: bool = False) -> None:
        """Show these lines (the view keeps the list: the caller must not change it afterwards)."""
        if language is not None:
            self.language = language
        self.lines = lines
        self._follow = follow
        self._starts.clear()
        self._spans.clear()
        self._reindex(0)
        self.cursor = 0
        self.scroll_to(0, 0, animate=False, immediate=True)
        if follow:
            self.scroll_end(animate=False, immediate=True)

    def extend_lines(self, lines: Iterable[str]) -> None:
        """More whole lines at the end (a result still being formatted)."""
        first = len(self.lines)
        self.lines.extend(lines)
        self._reindex(first)

    def append_text(self, text: str) -> None:
        """Text that continues the last line (a stream): costs the size of `text`."""
        if not text:
            return
        pieces = text.split("\n")
        if self.lines:
            last = len(self.lines) - 1
            self.lines[last] += pieces[0]
            self._starts.discard(last)
            self._spans.discard(last)
            first = last
        else:
            self.lines.append(pieces[0])
            first = 0
        self.lines.extend(pieces[1:])
        at_end = self._follow or self.is_vertical_scroll_end
        self._reindex(first)
        if at_end:
            self.scroll_end(animate=False, immediate=True)

    def _width(self) -> int:
        return self.scrollable_content_region.width

    def _reindex(self, first: int) -> None:
        """Recount the rows of lines[first:] (all of them when the width changed)."""
        width = self._width()
        if width <= 0:  # not laid out yet: wrapping at a made-up width would be wasted (and slow at 1)
            self._wrap_width = 0
            self._row_ends.clear()
            self.virtual_size = Size(0, 0)
            return
        if width != self._wrap_width:
            self._wrap_width, first = width, 0
            self._starts.clear()
        del self._row_ends[first:]
        base = self._row_ends[-1] if self._row_ends else 0
        lines = self.lines
        counts = (  # most lines fit: decided inline, the rest wrapped
            1 if len(lines[i]) <= width and lines[i].isascii() else len(self._row_starts(i))
            for i in range(first, len(lines))
        )
        self._row_ends.extend(accumulate(counts, initial=base))
        del self._row_ends[first]  # accumulate's initial value is not a line
        rows = self._row_ends[-1] if self._row_ends else 0
        self.virtual_size = Size(width, rows)
        self.refresh()

    def _row_starts(self, index: int) -> list[int]:
        starts = self._starts.get(index)
        if starts is None:
            starts = wrap_points(self.lines[index], self._wrap_width)
            self._starts[index] = starts
        return starts

    def on_resize(self) -> None:
        if self._width() != self._wrap_width:
            self._reindex(0)
            if self._follow:
                self.scroll_end(animate=False, immediate=True)

    # -- drawing ---------------------------------------------------------------------------------

    def row_position(self, row: int) -> tuple[int, int, int] | None:
        """(line index, start, end) of a row, or None past the end."""
        if row < 0 or not self._row_ends or row >= self._row_ends[-1]:
            return None
        index = bisect_right(self._row_ends, row)
        first_row = self._row_ends[index - 1] if index else 0
        line = self.lines[index]
        if len(line) <= self._wrap_width and line.isascii():
            return index, 0, len(line)
        starts = self._row_starts(index)
        k = row - first_row
        end = starts[k + 1] if k + 1 < len(starts) else len(line)
        return index, starts[k], end

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        row = self.scroll_offset.y + y
        base = self.rich_style
        where = self.row_position(row)
        if where is None:
            return Strip.blank(width, base)
        index, start, end = where
        segments = self._segments(index, start, end, base)
        if row == self.cursor and self.has_focus:
            segments = list(Segment.apply_style(segments, post_style=_CURSOR_STYLE))
        return Strip(segments).crop_extend(0, width, base)

    def _segments(self, index: int, start: int, end: int, base: Style) -> list[Segment]:
        line = self.lines[index]
        styles: list[tuple[int, int, Style]] = []
        if self.language == "json":
            spans = self._spans.get(index)
            if spans is None:
                spans = self._spans[index] = json_spans(line)
            styles = [s for s in spans if s[1] > start and s[0] < end]
        if self._needle:  # matches go on top of the syntax colours
            lowered = line[start:end].lower()
            found = lowered.find(self._needle)
            while found >= 0:
                styles.append((start + found, start + found + len(self._needle), _MATCH_STYLE))
                found = lowered.find(self._needle, found + 1)
        if not styles:
            return [Segment(line[start:end], base)]
        cuts = sorted({start, end, *(max(start, min(end, x)) for s in styles for x in s[:2])})
        segments = []
        for left, right in zip(cuts, cuts[1:]):
            style = base
            for span_start, span_end, span_style in styles:
                if span_start <= left and right <= span_end:
                    style += span_style
            segments.append(Segment(line[left:right], style))
        return segments

    # -- cursor, find, copy ----------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return self._row_ends[-1] if self._row_ends else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.scroll_to_region_row(new)
        self.refresh()

    def scroll_to_region_row(self, row: int) -> None:
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self._follow = False
        self.cursor = max(0, min(self.row_count - 1, self.cursor + delta))

    def action_cursor_page(self, pages: int) -> None:
        self.action_cursor(pages * max(1, self.scrollable_content_region.height - 1))

    def action_cursor_to(self, row: int) -> None:
        self._follow = row < 0
        self.cursor = max(0, self.row_count - 1) if row < 0 else row

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_copy_line(self) -> None:
        where = self.row_position(self.cursor)
        if where is not None:
            self.post_message(self.CopyRequested(self.lines[where[0]][:COPY_LIMIT], "the line"))

    def action_copy_all(self) -> None:
        self._copy_all()

    @work(thread=True, exclusive=True, group="text-view-copy", description="copy all")
    def _copy_all(self) -> None:
        text = self.text
        what = "all of it" if len(text) <= COPY_LIMIT else f"its first {COPY_LIMIT} characters"
        self.post_message(self.CopyRequested(text[:COPY_LIMIT], what))

    def find(self, needle: str, *, forward: bool = True, again: bool = False) -> None:
        """Highlight `needle` everywhere and move the cursor to the next (or previous) line that has it."""
        self._needle = needle.lower()
        self.refresh()
        if not self._needle:
            return
        where = self.row_position(self.cursor)
        line = where[0] if where else 0
        start = line + (1 if again and forward else 0) if forward else line - 1
        self._search(self._needle, start, forward)

    def action_find_again(self, forward: int) -> None:
        if self._needle:
            self.find(self._needle, forward=bool(forward), again=True)

    @work(thread=True, exclusive=True, group="text-view-find", description="find")
    def _search(self, needle: str, start: int, forward: bool) -> None:
        worker = get_current_worker()
        lines = self.lines
        count = len(lines)
        if not count:
            return
        order = range(start, start + count) if forward else range(start, start - count, -1)
        for step, position in enumerate(order):
            if step % 5000 == 0 and worker.is_cancelled:
                return
            index = position % count
            if needle in lines[index].lower():
                self.app.call_from_thread(self._found, index)
                return
        self.app.call_from_thread(self.notify, "not found", severity="warning")

    def _found(self, index: int) -> None:
        if index < len(self.lines):
            self._follow = False
            self.cursor = self._row_ends[index - 1] if index else 0


class FindBar(Vertical):
    """A one-line find box for a TextView: Enter finds the next match, Escape closes it."""

    DEFAULT_CSS = """
    FindBar {
        height: auto;
        display: none;
    }
    FindBar.-open {
        display: block;
    }
    FindBar Input {
        height: 3;
    }
    """

    class Find(Message):
        def __init__(self, needle: str, forward: bool = True) -> None:
            self.needle, self.forward = needle, forward
            super().__init__()

    BINDINGS = [Binding("escape", "close", "Close find", show=False)]

    def compose(self) -> ComposeResult:
        yield Input(placeholder="find in the result (Enter: next, Escape: close)", id="find-input")

    def open(self) -> None:
        self.add_class("-open")
        self.query_one(Input).focus()

    def action_close(self) -> None:
        self.remove_class("-open")
        self.post_message(self.Find(""))

    @on(Input.Submitted, "#find-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Find(event.value))
