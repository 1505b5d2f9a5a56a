"""A server that refuses the token at discovery: one banner with what to do, not a tree full of warnings."""

from __future__ import annotations

from textual.widgets import Static

from explorer.session import open_session
from explorer.tui.app import ExplorerApp

from .conftest import SIZE, ready
from .test_tree_new import labels


async def test_a_refused_token_shows_one_banner_and_a_quiet_tree(demo_server, explorer_home):
    async def refused():
        return await open_session(origin=demo_server.origin, token="not-the-token-0123456789",
                                  history_path=explorer_home / "history.sqlite3")

    app = ExplorerApp(session_factory=refused)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        banner = screen.catalog_panel.query_one("#tree-banner", Static)
        assert banner.display and "refused the token (HTTP 401)" in str(banner.render())
        assert "puter-explorer login" in str(banner.render())
        assert not any("⚠" in label for label in labels(screen.catalog_panel.tree))


async def test_a_good_token_shows_no_banner(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        assert not screen.catalog_panel.query_one("#tree-banner", Static).display


def test_snapshot_of_a_refused_token(snap_compare, demo_server, explorer_home):
    async def refused():
        return await open_session(origin=demo_server.origin, token="not-the-token-0123456789",
                                  history_path=explorer_home / "history.sqlite3")

    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(ExplorerApp(session_factory=refused, origin_label="http://demo.example"),
                        terminal_size=SIZE, run_before=run_before)
