"""A small modal asking where to save a copy of a binary answer: a path, prefilled by the caller.

It never agrees to overwrite a file unless the same path is submitted twice in a row (the first time says
that it exists). Dismissed with `(path, overwrite)`, or None (Escape).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ...terminal_text import safe_text


class SaveCopyScreen(ModalScreen["tuple[Path, bool] | None"]):
    DEFAULT_CSS = """
    SaveCopyScreen { align: center middle; }
    #save-copy-dialog { width: 90; height: auto; border: thick $primary; background: $surface; padding: 1 2; }
    #save-copy-problem { height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, what: str, suggested: Path) -> None:
        super().__init__()
        self.what, self.suggested = what, suggested
        self._confirm: Path | None = None  # an existing file submitted once: submitting it again overwrites

    def compose(self) -> ComposeResult:
        with Vertical(id="save-copy-dialog"):
            yield Label(safe_text(f"Save {self.what} to (Enter saves, Escape cancels)", single_line=True))
            yield Input(str(self.suggested), id="save-copy-path", select_on_focus=False)  # the name is edited, not retyped
            yield Static("", id="save-copy-problem")

    @property
    def problem(self) -> str:
        return str(self.query_one("#save-copy-problem", Static).content)

    def _say(self, message: str, style: str) -> None:
        self.query_one("#save-copy-problem", Static).update(safe_text(message, style))

    @on(Input.Changed, "#save-copy-path")
    def _changed(self, event: Input.Changed) -> None:
        if self._confirm is not None and Path(event.value.strip()).expanduser() != self._confirm:
            self._confirm = None
            self._say("", "")

    @on(Input.Submitted, "#save-copy-path")
    async def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            return
        target = Path(event.value.strip()).expanduser()
        # In a thread: a path on a slow or network drive must not hold the screen.
        kind = await asyncio.to_thread(_kind_of, target)
        if kind == "folder":
            self._say(f"{target} is a folder: give a file name", "red")
        elif kind == "no folder":
            self._say(f"there is no folder {target.parent}", "red")
        elif kind == "file" and self._confirm != target:
            self._confirm = target
            self._say(f"{target} exists: press Enter again to overwrite it", "yellow")
        else:
            self.dismiss((target, kind == "file"))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _kind_of(target: Path) -> str:
    """"folder", "no folder" (its parent is missing), "file" (it exists) or "new"."""
    if target.is_dir():
        return "folder"
    if not target.parent.is_dir():
        return "no folder"
    return "file" if target.exists() else "new"
