"""A small modal that saves a call into a collection: where (a .yaml path), then the file is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ...terminal_text import safe_text
from .collections import DEFAULT_FOLDER


def suggested_path(call: dict[str, Any], folder: str = DEFAULT_FOLDER) -> str:
    """The next numbered file of the folder: `collections/03-puter-kvstore-set.yaml`."""
    existing = sorted(Path(folder).glob("*.yaml")) if Path(folder).is_dir() else []
    return str(Path(folder) / f"{len(existing) + 1:02d}-{call['interface']}-{call['method']}.yaml")


class SaveCallScreen(ModalScreen["Path | None"]):
    """Dismissed with the path written, or None."""

    DEFAULT_CSS = """
    SaveCallScreen { align: center middle; }
    #save-call-dialog { width: 80; height: auto; border: thick $primary; background: $surface; padding: 1 2; }
    #save-call-problem { height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, call: dict[str, Any]) -> None:
        super().__init__()
        self.call = call

    def compose(self) -> ComposeResult:
        with Vertical(id="save-call-dialog"):
            yield Label(safe_text(f"Save {self.call['interface']}.{self.call['method']} as a call file "
                                  "(Enter saves, Escape cancels)", single_line=True))
            yield Input(suggested_path(self.call), id="save-call-path")
            yield Static("", id="save-call-problem")

    @on(Input.Submitted, "#save-call-path")
    def _save(self, event: Input.Submitted) -> None:
        from ...collection.files import dump

        path = Path(event.value.strip()).expanduser()
        problem = self.query_one("#save-call-problem", Static)
        if path.suffix not in (".yaml", ".yml"):
            problem.update(safe_text("a call file ends in .yaml", "red"))
            return
        if path.exists():
            problem.update(safe_text(f"{path} exists: choose another name", "red"))
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dump(self.call), encoding="utf-8")
        except OSError as error:
            problem.update(safe_text(f"cannot write {path}: {error.strerror or error}", "red"))
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
