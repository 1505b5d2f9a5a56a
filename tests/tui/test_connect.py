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

from .conftest import SIZE, wait_until
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


BROKEN_PROFILES = '{\n  "current": "saved",\n  "profiles": {"saved": {"origin": "http://a.example", "token": "t"},},\n}\n'


def _broken_profiles(home) -> tuple[Any, int]:
    """A profiles file with a trailing comma, and the line JSON says is wrong."""
    profiles = home / "config" / "profiles.json"
    profiles.parent.mkdir(parents=True, exist_ok=True)
    profiles.write_text(BROKEN_PROFILES)
    try:
        json.loads(BROKEN_PROFILES)
    except json.JSONDecodeError as error:
        return profiles, error.lineno
    raise AssertionError("the profiles file should not parse")


def cli_like_app(home) -> ExplorerApp:
    """The app as the command starts it when the profiles file cannot be read (it does not ask first)."""
    history = home / "history.sqlite3"

    def factory(choice: Any = None, *, without_profiles: bool = False) -> Any:
        if choice is None:
            from explorer.config import ProfileStore

            return open_session(history_path=history,
                                profiles=ProfileStore(unreadable="empty") if without_profiles else None)
        return open_chosen_session(choice, history_path=history)

    return ExplorerApp(session_factory=factory)


async def test_after_an_unreadable_profiles_file_the_app_goes_on_with_the_environment(no_target, demo_server,
                                                                                      monkeypatch):
    from explorer.config import ENV_ORIGIN
    from explorer.history import HistoryStore

    profiles, line = _broken_profiles(no_target)
    with HistoryStore(no_target / "history.sqlite3") as store:
        entry_id = store.begin(origin=demo_server.origin, profile="default", interface="puter-kvstore", service="",
                               method="get", args_json='{"key": "k"}', test_mode=False, request_body="{}")
        store.complete(entry_id, kind="result", status=200, result_text="1")
    monkeypatch.setenv(ENV_ORIGIN, demo_server.origin)
    monkeypatch.setenv(ENV_TOKEN, demo_server.token)
    app = cli_like_app(no_target)
    async with app.run_test(size=SIZE) as pilot:
        await until_idle(app, pilot)
        assert isinstance(app.screen, ProblemScreen)
        assert str(profiles) in app.screen.message and f"line {line}," in app.screen.message
        await pilot.press("escape")
        screen = app.main_screen
        await wait_until(pilot, lambda: screen.catalog is not None, timeout=30, what="the catalogue")
        await wait_until(pilot, lambda: screen.history.option_list.option_count == 1, what="the past call")
        assert app.screen is screen and screen.status_bar.generation == "v2"
        assert screen.status_bar.origin == demo_server.origin and screen.history.selected.entry_id == entry_id
        said = [n.message for n in app._notifications]
        assert any(str(profiles) in m and f"line {line}," in m for m in said), said
        call = await send(app, pilot, screen, "puter-kvstore", "set", {"key": "k", "value": 2})
        assert call.kind == "result"  # the environment's token was used
    assert profiles.read_text() == BROKEN_PROFILES


async def test_after_an_unreadable_profiles_file_with_no_token_anywhere_the_app_asks_where_to_connect(no_target,
                                                                                                      demo_server):
    profiles, line = _broken_profiles(no_target)
    app = cli_like_app(no_target)
    async with app.run_test(size=SIZE) as pilot:
        await until_idle(app, pilot)
        assert isinstance(app.screen, ProblemScreen)
        await pilot.click("#problem-close")
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen), what="the connect screen")
        connect = app.screen
        assert "profiles file cannot be read" in str(connect.query_one("#connect-note").render())
        assert any(str(profiles) in n.message and f"line {line}," in n.message for n in app._notifications)
        connect.query_one("#connect-tabs").active = "connect-token"
        fill(connect, token_origin=demo_server.origin, token_value=demo_server.token)
        await pilot.pause()
        await pilot.click("#token-connect")
        await wait_until(pilot, lambda: "Not connected" in connect.message, what="the refusal to save")
        assert app.screen is connect and str(profiles) in connect.message  # a good token, not saved over the file
        await pilot.press("escape", "1", "enter")  # the demo server, by keys
        await until_idle(app, pilot)
        await wait_until(pilot, lambda: app.main_screen.catalog is not None, timeout=30, what="the catalogue")
        assert app.screen is app.main_screen and app.session.demo is not None
    assert profiles.read_text() == BROKEN_PROFILES


async def test_a_token_withheld_from_the_server_named_is_why_the_connect_screen_asks(no_target, monkeypatch):
    import argparse

    from explorer.cli.tui_launch import _withheld
    from explorer.config import ENV_ORIGIN

    monkeypatch.setenv(ENV_ORIGIN, "http://home.example")
    monkeypatch.setenv(ENV_TOKEN, "the-token-of-home")
    options = argparse.Namespace(demo=False, origin="http://other.example", token=None, profile=None)
    assert needs_connect(origin=options.origin)  # the environment's token is not for this server
    note = _withheld(options)
    assert note == ("No token for this server: PUTER_AUTH_TOKEN is for http://home.example (PUTER_API_ORIGIN), so "
                    "it is not sent to http://other.example: give --token or a profile for it.")
    assert _withheld(argparse.Namespace(demo=False, origin=None, token=None, profile=None)) is None
    app = ExplorerApp(session_factory=lambda choice=None: open_chosen_session(choice), connect_first=True,
                      connect_note=note)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConnectScreen)
        assert str(app.screen.query_one("#connect-note").render()) == note
