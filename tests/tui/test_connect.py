"""The connect screen (no token configured), and problems with the history or profiles files shown plainly."""

from __future__ import annotations

import json
import stat
from typing import Any

from explorer.config import ENV_TOKEN, Profile, ProfileStore
from explorer.session import open_session
from explorer.tui.app import ExplorerApp
from explorer.tui.widgets.catalog_tree import MethodRef
from explorer.protocol.origins import derive_api_origin
from explorer.connect import needs_connect, open_chosen_session
from explorer.tui.screens.connect import ConnectScreen
from explorer.tui.screens.main import MainScreen
from explorer.tui.screens.problem import ProblemScreen

from .conftest import SIZE
from .test_calls import send


def connect_app() -> ExplorerApp:
    """The app as `puter-explorer` starts it when no token is configured."""
    return ExplorerApp(session_factory=lambda choice=None: open_chosen_session(choice), connect_first=True)


async def until_idle(app: ExplorerApp, pilot: Any) -> None:
    # A choice runs in the connect screen's worker, then the app's worker attaches the session.
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def fill(screen: Any, **values: str) -> None:
    for name, value in values.items():
        screen.query_one(f"#{name.replace('_', '-')}").value = value


def test_the_connect_screen_is_needed_only_without_a_token(no_target, monkeypatch):
    assert needs_connect()
    assert not needs_connect(demo=True)
    assert not needs_connect(token="t")
    monkeypatch.setenv(ENV_TOKEN, "t")
    assert not needs_connect()
    monkeypatch.delenv(ENV_TOKEN)
    ProfileStore().put(Profile(name="saved", origin="http://api.puter.localhost:4100", token="t"))
    assert not needs_connect()
    # Opening the session reports an unreadable profiles file; deciding does not hide it.
    (no_target / "config" / "profiles.json").write_text("{not json")
    assert not needs_connect()


def test_the_api_origin_of_a_self_hosted_puter():
    assert derive_api_origin("puter.localhost:4100") == "http://api.puter.localhost:4100"
    assert derive_api_origin("https://puter.example.org") == "https://api.puter.example.org"
    assert derive_api_origin("http://127.0.0.1:8123") == "http://127.0.0.1:8123"


async def test_choosing_the_demo_server_opens_the_main_screen_connected(no_target):
    app = connect_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConnectScreen)
        await pilot.click("#demo-start")
        await until_idle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.status_bar.generation == "v2"
        assert "generation: v2" in str(app.screen.status_bar.render())
        assert app.session.demo is not None
        assert not (no_target / "config" / "profiles.json").exists()


async def test_origin_and_token_are_saved_as_a_private_current_profile(no_target, demo_server):
    app = connect_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#connect-tabs").active = "connect-token"
        fill(app.screen, token_origin=demo_server.origin, token_value=demo_server.token, token_profile="mine")
        await pilot.pause()
        assert demo_server.token not in app.export_screenshot()  # the token input is masked
        await pilot.click("#token-connect")
        await until_idle(app, pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.status_bar.generation == "v2"
        assert screen.status_bar.profile == "mine"
        call = await send(app, pilot, screen, "puter-kvstore", "set", {"key": "connected", "value": 1})
        assert call.kind == "result"
    profiles = no_target / "config" / "profiles.json"
    assert stat.S_IMODE(profiles.stat().st_mode) == 0o600
    saved = json.loads(profiles.read_text())
    assert saved["current"] == "mine"
    assert saved["profiles"]["mine"]["origin"] == demo_server.origin
    assert saved["profiles"]["mine"]["token"] == demo_server.token
    assert not needs_connect()  # the next start connects directly


async def test_a_refused_login_is_shown_inline_and_the_right_password_connects(no_target, demo_server):
    app = connect_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#connect-tabs").active = "connect-login"
        fill(screen, login_origin="ftp://nowhere", login_username="demo", login_password="demo")
        await pilot.pause()
        await pilot.click("#login-connect")
        await until_idle(app, pilot)
        assert app.screen is screen and "not an http(s) origin" in screen.message

        fill(screen, login_origin=demo_server.origin, login_password="wrong-password")
        await pilot.click("#login-connect")
        await until_idle(app, pilot)
        assert app.screen is screen
        assert "HTTP 401" in screen.message and "Incorrect password" in screen.message
        assert "wrong-password" not in screen.message and "wrong-password" not in app.export_screenshot()
        assert screen.query_one("#login-username").value == "demo"  # nothing typed is lost
        assert not (no_target / "config" / "profiles.json").exists()

        fill(screen, login_password="demo", login_profile="self-hosted")
        await pilot.click("#login-connect")
        await until_idle(app, pilot)
        assert isinstance(app.screen, MainScreen) and app.screen.status_bar.generation == "v2"
    saved = json.loads((no_target / "config" / "profiles.json").read_text())
    profile = saved["profiles"]["self-hosted"]
    assert saved["current"] == "self-hosted"
    assert (profile["token"], profile["origin"], profile["gui_origin"], profile["username"]) == (
        demo_server.token, demo_server.origin, demo_server.origin, "demo")


async def test_a_history_file_that_is_not_ours_is_reported_and_left_untouched(demo_server, explorer_home):
    history = explorer_home / "history.sqlite3"
    history.write_bytes(b"these are somebody else's notes, not a database\n" * 50)
    before = history.read_bytes()
    app = ExplorerApp(session_factory=lambda: open_session(
        origin=demo_server.origin, token=demo_server.token, history_path=history))
    async with app.run_test(size=SIZE) as pilot:
        await until_idle(app, pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.status_bar.history_off
        said = [n.message for n in app._notifications]
        assert any("not a SQLite database" in m and str(history) in m for m in said), said
        screen.open_method(MethodRef("puter-kvstore", "set", None))
        screen.editor.text_area.load_text('{"key": "k", "value": 1}')
        await pilot.press("f5")  # calls are still made, only not recorded
        await until_idle(app, pilot)
        call = screen.history.selected
        assert call.kind == "result" and call.entry_id is None
    assert history.read_bytes() == before
    assert sorted(p.name for p in explorer_home.iterdir() if p.name.startswith("history")) == ["history.sqlite3"]


async def test_an_unreadable_profiles_file_is_reported_and_left_untouched(no_target):
    profiles = no_target / "config" / "profiles.json"
    profiles.parent.mkdir(parents=True)
    profiles.write_text('{"profiles": [1, 2')
    before = profiles.read_bytes()
    app = ExplorerApp(session_factory=lambda: open_session(history_path=no_target / "history.sqlite3"))
    async with app.run_test(size=SIZE) as pilot:
        await until_idle(app, pilot)
        assert isinstance(app.screen, ProblemScreen)
        assert "profiles file" in app.screen.message and "fix or remove it" in app.screen.message
        await pilot.click("#problem-quit")
        await pilot.pause()
    assert app.return_code == 0
    assert profiles.read_bytes() == before
