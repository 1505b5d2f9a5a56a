"""What every driver view shares: the widget base class, and (from `explorer.driver_views.answers`, which
the CLI's `--view` uses too) cheap ways to read what a call gave back.

A view is a widget made for one highlighted call. `matches(call)` runs on the event loop for every
highlight, so it only looks at names, kinds and (for past calls) the first character of the stored JSON;
parsing, reading files and decoding happen in the view's own thread worker.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widget import Widget

from ....driver_views.answers import (  # noqa: F401  (re-exported for the views)
    EXTENSIONS,
    MAX_DATA_URI_CHARS,
    BinarySource,
    binary_source,
    compact_json,
    content_type_of,
    decode_data_uri,
    extension_for,
    has_json_result,
    is_binary,
    is_method,
    result_value,
)
from ...calls import Call
from ...keymap import DEFAULT_BINDINGS
from ....terminal_text import clean


def unlisted(binding_id: str, action: str) -> Binding:
    """The screen's key `binding_id` for a view's own `action`, not in the footer: inside a view, the screen hides
    its F7, F9 and F10 (the footer shows the view's o, s, r instead), and the keys keep working there. Same id,
    so the user's keymap moves these too."""
    keys, _, description = DEFAULT_BINDINGS[binding_id]
    return Binding(keys, action, description, id=binding_id, show=False)


class DriverView(Widget):
    """A result view for some interface and method. Subclasses set `matches` and fill themselves in.

    The outcome view makes one for the highlighted call when `matches(call)` holds, calls `show(call)`
    again whenever that call changes (a stream that ends, an answer that arrives) and `flush_stream(call)`
    while a stream is being received.
    """

    DEFAULT_CSS = """
    DriverView {
        height: 1fr;
    }
    """

    BINDINGS = [unlisted("focus-view", "focus_view")]  # F7 inside the view (the screen's is hidden there)
    holds_bytes = False  # a binary answer: it can be opened and saved (BinaryDriverView)

    def __init__(self, call: Call) -> None:
        super().__init__()
        self.call = call

    def take_focus(self) -> None:
        """Focus the view (F7), or the first part of it that takes the focus."""
        if self.can_focus:
            self.focus()
        else:
            chain = [w for w in self.screen.focus_chain if self in w.ancestors]
            if chain:
                chain[0].focus()

    def action_focus_view(self) -> None:
        self.take_focus()

    @classmethod
    def matches(cls, call: Call) -> bool:
        raise NotImplementedError

    def on_mount(self) -> None:
        try:
            self.refresh_view()
        except NoMatches:  # replaced by the view of another call before its parts were mounted
            pass

    def show(self, call: Call) -> None:
        """The same call again, or changed (it finished): show what it has now."""
        self.call = call
        if self.is_mounted:  # otherwise on_mount shows it
            try:
                self.refresh_view()
            except NoMatches:  # replaced by the view of another call meanwhile
                pass

    def refresh_view(self) -> None:
        """Fill the view from `self.call` (start a worker for anything heavy)."""

    def flush_stream(self, call: Call) -> None:
        """Chunks arrived for `call` since the last flush (only views of streaming methods care)."""

    def alive(self) -> bool:
        """Still on screen: a worker's result for a view that was replaced is dropped."""
        return self.is_attached and self.is_mounted


# -- showing -----------------------------------------------------------------------------------


def shown_path(path: Any) -> str:
    """How a saved file's path is shown (one place, so that a snapshot can make it fixed)."""
    return clean(str(path), single_line=True)


