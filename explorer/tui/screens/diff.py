"""A modal with the JSON-aware diff of two calls' results (key order ignored), and `show_diff`, which reads
and compares the two values in a thread worker before opening it."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static
from textual.worker import get_current_worker

from ...terminal_text import clean
from .dialog import LargeDialog

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from ..calls import Call
    from ..seams import HistorySource


def show_diff(node: DOMNode, old: Call | int, new: Call, source: HistorySource | None) -> None:
    """Diff `new` against `old` (a call, or the id of the history entry it replays) in a worker of `node`."""
    node.run_worker(partial(_diff, node, old, new, source), thread=True, exclusive=True, group="diff",
                    exit_on_error=False, description="diff two calls")


def _diff(node: DOMNode, old: Call | int, new: Call, source: HistorySource | None) -> None:
    """Read and compare the two values off the event loop (a body may be megabytes)."""
    from ...history import HistoryError
    from ..calls import Call
    from ..compare import call_value, diff_text, entry_value, label

    try:
        if isinstance(old, Call):
            old_label, old_value = label(old), call_value(old, source)
        else:
            old_label, old_value = f"#{old} (the original)", entry_value(source, old)
        text = diff_text(old_value, call_value(new, source))
    except (LookupError, HistoryError, OSError) as why:
        node.app.call_from_thread(node.notify, clean(str(why)), title="Cannot diff", severity="warning", markup=False)
        return
    if not get_current_worker().is_cancelled:
        node.app.call_from_thread(node.app.push_screen, DiffScreen(old_label, label(new), text))


class DiffScreen(LargeDialog):
    BINDINGS = [Binding("escape,q", "dismiss", "Close")]

    def __init__(self, old_label: str, new_label: str, changes: Text) -> None:
        super().__init__()
        self.old_label, self.new_label = old_label, new_label
        self.changes = changes

    def compose(self) -> ComposeResult:
        title = Text()
        title.append("- " + self.old_label, style="bold red")
        title.append("\n")
        title.append("+ " + self.new_label, style="bold green")
        with Vertical(id="diff-dialog", classes="dialog"):
            yield Static(title, id="diff-title", classes="dialog-title")
            with VerticalScroll(id="diff-scroll", classes="dialog-body"):
                yield Static(self.changes, id="diff-body")
            yield Static(Text("Escape closes.", style="dim"))
