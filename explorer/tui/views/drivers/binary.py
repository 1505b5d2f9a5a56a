"""Any binary answer of a type no other view knows: its facts, the hex of its head, open and save."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static
from textual.worker import get_current_worker

from ....driver_views.answers import size_text
from ....driver_views.binary import fits
from ...calls import Call
from ..body import HEX_BYTES, hex_lines
from ..render import fields
from .actions import BinaryActions, BinaryDriverView
from .base import binary_source, shown_path


class BinaryView(BinaryDriverView):
    DEFAULT_CSS = """
    BinaryView #binary-facts, BinaryView #binary-hex {
        height: auto;
        padding: 0 1;
    }
    """

    @classmethod
    def matches(cls, call: Call) -> bool:
        return fits(call)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="binary-facts")
            yield BinaryActions()
            yield Static(id="binary-hex")

    def refresh_view(self) -> None:
        source = binary_source(self.call)
        self.actions.set_source(source)
        if source is None:
            return
        self.query_one("#binary-facts", Static).update(fields(
            ("content type", source.content_type or "(none given)"),
            ("size", size_text(source.size)),
            ("sha256", source.sha256),
            ("saved to", shown_path(source.path) if source.path else None),
        ))
        self._read_head()

    @work(thread=True, exclusive=True, group="binary-view", exit_on_error=False, description="read the head")
    def _read_head(self) -> None:
        source = binary_source(self.call)
        try:
            head = source.read(HEX_BYTES) if source else b""
        except (OSError, ValueError) as error:
            lines = [f"cannot read it: {error}"]
        else:
            lines = hex_lines(head) if head else ["(empty)"]
            more = (source.size or 0) - len(head) if source else 0
            if more > 0:
                lines.append(f"… {more} more bytes: open (o) or save (s) it to see them")
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_head, lines)

    def _show_head(self, lines: list[str]) -> None:
        if self.alive():
            self.query_one("#binary-hex", Static).update(Text("\n".join(lines)))
