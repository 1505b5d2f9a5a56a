"""A server that answers garbage or nothing leaves the app running, with the failure shown and recorded."""

from __future__ import annotations

import asyncio

from explorer.session import open_session
from explorer.tui.app import ExplorerApp
from tests.protocol.hostile import HostileServer, answer

from .conftest import SIZE, ready, settle

PAGE = b"<html><body><h1>502 Bad Gateway</h1>\x1b[2J</body></html>"


async def hostile_app(server, explorer_home):
    async def factory():
        return await open_session(origin=server.origin, token="tok", history_path=explorer_home / "h.sqlite3")

    return ExplorerApp(session_factory=factory)


async def test_html_error_pages_become_recorded_failures(explorer_home):
    script = answer("502 Bad Gateway", {"Content-Type": "text/html"}, PAGE)
    async with HostileServer(script) as server:
        app = await hostile_app(server, explorer_home)
        async with app.run_test(size=SIZE) as pilot:
            screen = await ready(app, pilot)
            assert screen.catalog.errors and screen.catalog.generation is None  # discovery failed, tree kept
            assert "puter-kvstore" in screen.catalog.interfaces
            from explorer.tui.widgets.catalog_tree import MethodRef

            screen.open_method(MethodRef("puter-kvstore", "get", "puter-kvstore"))
            await pilot.press("f5")
            await settle(app, pilot)
            call = screen.history.selected
            assert call.kind == "failure" and "HTTP 502" in call.outcome.message and "\x1b" not in call.outcome.message
            entry = screen.session.history.get(call.entry_id)
            assert entry.kind == "failure" and entry.status == 502
            assert app.is_running


async def test_a_server_that_never_answers_times_out_without_freezing(explorer_home):
    async def hang(reader, writer):
        await asyncio.sleep(30)

    async with HostileServer(hang) as server:
        async def factory():
            from explorer.protocol.client import Timeouts

            return await open_session(origin=server.origin, token="tok", history_path=explorer_home / "h.sqlite3",
                                      timeouts=Timeouts(read=3.0, connect=3.0))

        app = ExplorerApp(session_factory=factory)
        async with app.run_test(size=SIZE) as pilot:
            screen = await ready(app, pilot)
            from explorer.tui.widgets.catalog_tree import MethodRef

            screen.open_method(MethodRef("puter-kvstore", "get", "puter-kvstore"))
            await pilot.press("f5")
            call = screen.history.selected
            assert call.in_flight and screen.status_bar.in_flight == 1
            search = screen.history.query_one("#history-search")
            search.focus()
            await pilot.press("x")  # the UI answers while the call waits
            assert search.value == "x" and call.in_flight
            await settle(app, pilot)
            assert call.kind == "failure" and "no answer" in call.outcome.message
