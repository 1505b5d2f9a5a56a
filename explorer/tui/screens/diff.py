"""A modal with the JSON-aware diff of two calls (what each sent, and what came back; key order ignored),
`show_diff`, which reads and compares them in a thread worker before opening it, and the history's
marking rule (`mark_selected`, `diff_selected`)."""

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
    from .main import MainScreen


def show_diff(node: DOMNode, old: Call | int, new: Call, source: HistorySource | None) -> None:
    """Diff `new` against `old` (a call, or the id of the history entry it replays) in a worker of `node`."""
    node.run_worker(partial(_diff, node, old, new, source), thread=True, exclusive=True, group="diff",
                    exit_on_error=False, description="diff two calls")


def _diff(node: DOMNode, old: Call | int, new: Call, source: HistorySource | None) -> None:
    """Read and compare the two values off the event loop (a body may be megabytes)."""
    from ...history import HistoryError
    from ..calls import Call
    from ..compare import call_sections, entry_sections, label, sections_text

    try:
        if isinstance(old, Call):
            old_label, old_value = label(old), call_sections(old, source)
        else:
            old_label, old_value = f"#{old} (the original)", entry_sections(source, old)
        text = sections_text(old_value, call_sections(new, source))
    except (LookupError, HistoryError, OSError) as why:
        node.app.call_from_thread(node.notify, clean(str(why)), title="Cannot diff", severity="warning", markup=False)
        return
    if not get_current_worker().is_cancelled:
        node.app.call_from_thread(node.app.push_screen, DiffScreen(old_label, label(new), text))


def mark_selected(screen: MainScreen) -> None:
    """m: mark the selected call, or take its mark away; two at most, as in compare."""
    from ..compare import label

    call = screen.history.selected
    if call is None:
        return
    if screen.history.toggle_mark(call):
        count = len(screen.history.marks)
        then = "press d to diff the two" if count == 2 else "select another call and press d, or mark a second"
        screen.notify(f"marked {label(call)}: {then}", markup=False)
    else:
        screen.notify("mark removed")


def diff_selected(screen: MainScreen) -> None:
    """d, the rule of compare too: the two marks; one mark and the selected call; with no mark, a replay
    against its original."""
    new = screen.history.selected
    if new is None:
        return
    marks = screen.history.marks
    old: Call | int
    if len(marks) == 2:
        old, new = marks
    elif marks and marks[0].key != new.key:
        old = marks[0]
    elif new.replay_of is not None:
        old = new.replay_of
    else:
        screen.notify("mark a call first (m in the history), or select a replay", title="Nothing to diff",
                      severity="warning")
        return
    show_diff(screen, old, new, screen.history.source)


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
