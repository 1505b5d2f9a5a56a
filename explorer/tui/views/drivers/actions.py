"""Open a binary answer with the system's viewer or player, or save it under a path of the user's choosing.

Both run in thread workers. Saving asks where in a small modal (prefilled with the downloads folder and the
file's name), which overwrites a file only when the same path is submitted twice in a row; a file is written
whole to a temporary name and then renamed, and the view then says where it went.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ....terminal_text import clean
from .base import BinarySource, DriverView, extension_for, unlisted


OPENER_WAIT = 10.0  # seconds to wait for the opener to say whether it found an application
_still_running: list[subprocess.Popen[bytes]] = []


def system_opener() -> list[str] | None:
    """The command that opens a file with the desktop's default application, if this system has one."""
    if sys.platform == "darwin":
        found = shutil.which("open")
    elif sys.platform == "win32":
        return ["cmd", "/c", "start", ""]
    else:
        found = shutil.which("xdg-open")
    return [found] if found else None


class BinaryActions(Vertical):
    """Buttons and keys (on the view): **o** opens with the system's application, **s** saves a copy."""

    DEFAULT_CSS = """
    BinaryActions {
        height: auto;
    }
    BinaryActions Horizontal {
        height: auto;
    }
    BinaryActions Button {
        min-width: 10;
        margin-right: 1;
    }
    BinaryActions #action-status {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(self, open_label: str = "Open", opener_noun: str = "viewer") -> None:
        super().__init__()
        self.source: BinarySource | None = None
        self.open_label = open_label
        self.opener_noun = opener_noun

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Button(f"{self.open_label} (o)", id="open-button", compact=True)
            yield Button("Save as… (s)", id="save-button", compact=True)
        yield Static(id="action-status")

    def set_source(self, source: BinarySource | None) -> None:
        self.source = source
        self.query_one("#open-button", Button).disabled = source is None
        self.query_one("#save-button", Button).disabled = source is None

    def say(self, message: str, style: str = "") -> None:
        self.query_one("#action-status", Static).update(Text(clean(message), style=style))

    @property
    def status(self) -> str:
        return str(self.query_one("#action-status", Static).content)

    # -- open --------------------------------------------------------------------------------

    @on(Button.Pressed, "#open-button")
    def _open_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.open()

    def open(self) -> None:
        if self.source is None:
            return
        opener = system_opener()
        if opener is None:
            self.say(f"no system {self.opener_noun} here (neither xdg-open nor open is installed): "
                     "save it (s) and open it yourself", "yellow")
            return
        self._open(self.source, opener)

    @work(thread=True, group="binary-open", exit_on_error=False, description="open with the system application")
    def _open(self, source: BinarySource, opener: list[str]) -> None:
        try:
            path = source.path
            if path is None:  # a data URI: the application needs a file
                data = source.read()
                handle, name = tempfile.mkstemp(prefix="puter-explorer-", suffix=extension_for(source.content_type))
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                path = Path(name)
            process = subprocess.Popen(
                [*opener, str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True,
            )
        except (OSError, ValueError) as error:
            self.app.call_from_thread(self.say, f"could not open it: {error}", "red")
            return
        name = Path(opener[0]).name
        try:
            code = process.wait(timeout=OPENER_WAIT)  # openers hand the file over and return
        except subprocess.TimeoutExpired:
            _still_running.append(process)  # some wait for the application: let it be
            code = 0
        if code:
            self.app.call_from_thread(self.say, f"{name} could not open {path} (exit status {code})", "red")
        else:
            self.app.call_from_thread(self.say, f"opened {path} with {name}")

    # -- save --------------------------------------------------------------------------------

    @on(Button.Pressed, "#save-button")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.ask_path()

    def ask_path(self, suggested: Path | None = None) -> None:
        """Ask where in a modal (the downloads folder, not wherever the app was started), then save there."""
        from ...screens.save_copy import SaveCopyScreen

        source = self.source
        if source is None:
            return

        def chosen(answer: tuple[Path, bool] | None) -> None:
            if answer is not None:
                self.say(f"saving to {answer[0]}…")
                self._save(source, *answer)

        self.app.push_screen(SaveCopyScreen("a copy", suggested or downloads_folder() / source.suggested_name), chosen)

    @work(thread=True, group="binary-save", exit_on_error=False, description="save the answer")
    def _save(self, source: BinarySource, target: Path, overwrite: bool) -> None:
        message, style, exists = save_copy(source, target, overwrite)
        self.app.call_from_thread(self.say, message, style)
        if exists is not None:  # it appeared since the question: asked again, where Enter can overwrite it
            self.app.call_from_thread(self.ask_path, exists)


def downloads_folder() -> Path:
    """The user's downloads folder (the home folder where the system names none)."""
    from platformdirs import user_downloads_dir

    folder = Path(user_downloads_dir())
    return folder if folder.is_dir() else Path.home()


def save_copy(source: BinarySource, target: Path, overwrite: bool) -> tuple[str, str, Path | None]:
    """Write the bytes to `target`: (message, style, the path to confirm an overwrite of, or None)."""
    if target.is_dir():
        return f"{target} is a folder: give a file name", "red", None
    if target.exists() and not overwrite:
        return f"{target} exists: press Enter again to overwrite it", "yellow", target
    if not target.parent.is_dir():
        return f"there is no folder {target.parent}", "red", None
    partial = target.with_name(f".{target.name}.partial")
    try:
        if source.path is not None:
            shutil.copyfile(source.path, partial)
        else:
            partial.write_bytes(source.read())
        os.replace(partial, target)
    except (OSError, ValueError) as error:
        partial.unlink(missing_ok=True)
        return f"not saved: {error}", "red", None
    return f"saved to {target}", "green", None


class BinaryDriverView(DriverView):
    """A view of bytes: subclasses compose `BinaryActions` and set its source."""

    BINDINGS = [
        Binding("o", "open_binary", "Open", show=True),
        Binding("s", "save_binary", "Save as", show=True),
        unlisted("open-answer", "open_binary"),  # F9 and F10 inside the view (the screen's are hidden there)
        unlisted("save-answer", "save_binary"),
    ]
    can_focus = True
    holds_bytes = True

    @property
    def actions(self) -> BinaryActions:
        return self.query_one(BinaryActions)

    def action_open_binary(self) -> None:
        self.actions.open()

    def action_save_binary(self) -> None:
        self.actions.ask_path()
