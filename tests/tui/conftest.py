"""Fixtures for driving the real app against a real demo server over loopback."""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path
from typing import Any, Callable

from rich.console import Console

import pytest

from explorer.session import Session, open_session
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.main import MainScreen
from explorer.tui.widgets.text_view import TextView

SIZE = (120, 40)


@pytest.fixture
def explorer_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config, history and downloads in a throwaway folder."""
    monkeypatch.setenv("PUTER_EXPLORER_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def no_target(explorer_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No origin or token in the environment, no profiles: what a first start looks like."""
    monkeypatch.delenv("PUTER_API_ORIGIN", raising=False)
    monkeypatch.delenv("PUTER_AUTH_TOKEN", raising=False)
    return explorer_home


class SteadyClock:
    """The `time` module as the protocol client sees it, with a clock that moves `step` seconds per reading:
    a call's measured duration is then always `step` (everything else is the real module)."""

    def __init__(self, step: float) -> None:
        self.step, self.now = step, 1000.0

    def perf_counter(self) -> float:
        self.now += self.step
        return self.now

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@pytest.fixture
def steady_durations(monkeypatch: pytest.MonkeyPatch) -> float:
    """Every call made through the protocol client lasts 12 ms by its clock, so a duration on screen is fixed."""
    from explorer.protocol import client

    monkeypatch.setattr(client, "time", SteadyClock(0.012))
    return 12.0


@pytest.fixture
def make_session(demo_server: Any, explorer_home: Path) -> Callable[..., Any]:
    """A factory of sessions on the shared demo server, recording into a history in the test's folder."""

    async def make(server: Any = None, **options: Any) -> Session:
        server = server or demo_server
        return await open_session(
            origin=server.origin,
            token=server.token,
            history_path=explorer_home / "history.sqlite3",
            **options,
        )

    return make


@pytest.fixture
def make_app(make_session: Callable[..., Any]) -> Callable[..., ExplorerApp]:
    def make(server: Any = None, **options: Any) -> ExplorerApp:
        return ExplorerApp(session_factory=lambda: make_session(server), **options)

    return make


async def ready(app: ExplorerApp, pilot: Any, timeout: float = 30.0) -> MainScreen:
    """Wait until the session is open and the catalogue is in the tree.

    The app starts connecting only after its first frame, so there may be no worker yet to wait for:
    wait for the app's own word that the attempt ended, then for what it started meanwhile.
    """
    await asyncio.wait_for(app.connect_settled.wait(), timeout)
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, MainScreen)
    assert screen.catalog is not None, "discovery did not finish"
    return screen


async def settle(app: ExplorerApp, pilot: Any, timeout: float = 30.0) -> None:
    """Wait for every call in flight to finish and the screen to catch up (workers started meanwhile too)."""
    deadline = time.monotonic() + timeout
    if not app.connect_first:  # it connects on its own once its first frame is out: wait for that too
        await asyncio.wait_for(app.connect_settled.wait(), timeout)
    while True:
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return
        if time.monotonic() > deadline:
            raise AssertionError("workers still running: " + ", ".join(w.name for w in app.workers if w.is_running))


async def wait_until(pilot: Any, condition: Callable[[], Any], timeout: float = 10.0, what: str = "") -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.02)


async def steady_screen(pilot: Any, timeout: float = 10.0) -> None:
    """Wait until two frames in a row are the same: what workers made is drawn, nothing is left to lay out."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        frame = pilot.app.export_screenshot()
        if frame == last:
            return
        if time.monotonic() > deadline:
            raise AssertionError("the screen kept changing")
        last = frame


async def palette_offers(pilot: Any, label: str, timeout: float = 10.0) -> None:
    """Wait until the command palette has searched what was typed and highlights the entry `label`
    (Enter then runs it): its search runs in a worker and fills the list in batches."""
    from textual.command import CommandList, CommandPalette

    def offered() -> bool:
        palette = pilot.app.screen
        if not isinstance(palette, CommandPalette):
            return False
        if any(worker.node is palette and not worker.is_finished for worker in pilot.app.workers):
            return False  # still searching: a later batch may change what is first
        option = palette.query_one(CommandList).highlighted_option
        return option is not None and str(option.prompt).startswith(label)

    await wait_until(pilot, offered, timeout, what=f"the palette to offer {label!r}")


def shown(screen: Any, selector: str) -> str:
    """The plain text a widget shows: a TextView's lines, or a Static's content printed without styles."""
    widget = screen.query_one(selector)
    if isinstance(widget, TextView):
        return widget.text
    content = widget.content
    if isinstance(content, str):
        return content
    console = Console(width=200, file=io.StringIO(), color_system=None)
    console.print(content)
    return console.file.getvalue()


def no_blinking(screen: Any) -> None:
    """A blinking cursor is drawn or not depending on the moment a snapshot is taken: stop every one."""
    from textual.widgets import Input, TextArea

    for field in screen.query(Input):
        field.cursor_blink = False
    for area in screen.query(TextArea):
        area.cursor_blink = False


def asking_where(app: Any) -> bool:
    """The save-a-copy dialog is up, its path field mounted (a screen is pushed before it is composed)."""
    from explorer.tui.screens.save_copy import SaveCopyScreen

    return isinstance(app.screen, SaveCopyScreen) and bool(app.screen.query("#save-copy-path"))
