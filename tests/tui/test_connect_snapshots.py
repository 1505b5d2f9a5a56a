"""Snapshots of the connect screen at a fixed size: each way, reached by its key, and a refused token."""

from __future__ import annotations

from textual.widgets import Input

from .conftest import SIZE, wait_until
from .test_connect import connect_app, until_idle

FIXED_ORIGIN = "http://127.0.0.1:4100"  # shown instead of the demo server's port, which varies


def still(app) -> None:
    for field in app.screen.query(Input):
        field.cursor_blink = False


def test_connect_screen_demo_way(snap_compare, no_target):
    async def run_before(pilot) -> None:
        await pilot.pause()
        still(pilot.app)

    assert snap_compare(connect_app(), terminal_size=SIZE, run_before=run_before)


def test_connect_screen_token_way(snap_compare, no_target):
    async def run_before(pilot) -> None:
        await pilot.pause()
        still(pilot.app)
        await pilot.press("2")
        await pilot.pause()

    assert snap_compare(connect_app(), terminal_size=SIZE, run_before=run_before)


def test_connect_screen_login_way(snap_compare, no_target):
    async def run_before(pilot) -> None:
        await pilot.pause()
        still(pilot.app)
        await pilot.press("3")
        await pilot.pause()

    assert snap_compare(connect_app(), terminal_size=SIZE, run_before=run_before)


def test_connect_screen_after_a_refused_token(snap_compare, no_target, demo_server):
    async def run_before(pilot) -> None:
        app = pilot.app
        await pilot.pause()
        still(app)
        await pilot.press("2", "shift+tab", "end", "ctrl+u", *demo_server.origin, "tab", *"wrong-token", "enter")
        await until_idle(app, pilot)
        await wait_until(pilot, lambda: "refused" in app.screen.message, what="the refusal")
        app.screen.query_one("#token-origin", Input).value = FIXED_ORIGIN
        await pilot.pause()

    assert snap_compare(connect_app(), terminal_size=SIZE, run_before=run_before)


def test_connect_screen_login_way_at_80x24(snap_compare, no_target):
    """24 lines: one-line fields, and the button still on screen."""

    async def run_before(pilot) -> None:
        await pilot.pause()
        still(pilot.app)
        await pilot.press("3")
        await pilot.pause()
        assert pilot.app.screen.query_one("#login-connect").region.bottom <= 24

    assert snap_compare(connect_app(), terminal_size=(80, 24), run_before=run_before)
