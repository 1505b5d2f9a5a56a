"""Replaying the selected call: where it was made, or, when that is another server than the one connected,
where the user chooses (a small modal names both). The session sends it with the token kept for that
server, never another server's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from ...terminal_text import safe_text

if TYPE_CHECKING:
    from .main import MainScreen


def replay_selected(screen: MainScreen) -> None:
    call = screen.history.selected
    session = screen.session
    if call is None or session is None:
        return
    if call.entry_id is None:  # not recorded: sent again as it is, here
        screen.start_call(call.request(), replay_of=None)
        return
    entry = call.entry if call.entry is not None else session.entry(call.entry_id)  # one short read
    made_on = entry.origin if entry is not None else session.origin
    if _same(made_on, session.origin):
        screen.start_call(call.request(), replay_of=call.entry_id, replay_origin=session.origin)
        return

    def chosen(origin: str | None) -> None:
        if origin is not None:
            screen.start_call(call.request(), replay_of=call.entry_id, replay_origin=origin)

    screen.app.push_screen(ReplayWhereScreen(call.entry_id, made_on, session.origin), chosen)


def _same(one: str, other: str) -> bool:
    from ...replays import same_origin

    return same_origin(one, other)


class ReplayWhereScreen(ModalScreen["str | None"]):
    """Dismissed with the origin to replay on, or None (Escape)."""

    DEFAULT_CSS = """
    ReplayWhereScreen { align: center middle; }
    #replay-where { width: 90; height: auto; border: thick $primary; background: $surface; padding: 1 2; }
    #replay-where Label { width: 100%; }
    #replay-where Button { margin-top: 1; width: 100%; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, entry_id: int, made_on: str, connected: str) -> None:
        super().__init__()
        self.entry_id, self.made_on, self.connected = entry_id, made_on, connected

    def compose(self) -> ComposeResult:
        with Vertical(id="replay-where"):
            yield Label(safe_text(f"#{self.entry_id} was made on {self.made_on}, not on the server connected now "
                                  f"({self.connected}). Replay it where? (Escape cancels)"))
            yield Button(safe_text(f"Replay on {self.made_on} (where it was made)", single_line=True),
                         id="replay-made-on", variant="primary")
            yield Button(safe_text(f"Replay on {self.connected} (connected now)", single_line=True),
                         id="replay-here")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.made_on if event.button.id == "replay-made-on" else self.connected)

    def action_cancel(self) -> None:
        self.dismiss(None)
