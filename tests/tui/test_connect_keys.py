"""The connect screen by keys only: 1/2/3 and the arrows reach the three ways, a token is checked with the
server before it is saved, and a refusal keeps the screen with the server's words."""

from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from explorer.connect import LoginChoice, TokenChoice, save_choice
from explorer.protocol.login import LoginError, whoami
from explorer.tui.screens.connect import ConnectScreen
from explorer.tui.screens.main import MainScreen
from textual.widgets import Input, Tabs

from tests.puter_fixtures import FIXTURES_DIR, load

from .conftest import SIZE, wait_until
from .test_connect import connect_app, until_idle


async def type_into_empty_field(pilot, text: str) -> None:
    await pilot.press("end", "ctrl+u", *text)


async def test_numbers_and_arrows_reach_each_way_and_put_the_cursor_where_typing_starts(no_target):
    app = connect_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConnectScreen)
        assert [str(tab.label) for tab in screen.query_one(Tabs).query("Tab")] == [
            "1 Demo server", "2 API origin + token", "3 Self-hosted login"]
        await pilot.press("2")
        await pilot.pause()
        assert screen.tabs.active == "connect-token" and screen.focused.id == "token-value"
        await pilot.press("3")  # typed into the token field: a digit there is text, not a key
        await pilot.pause()
        assert screen.tabs.active == "connect-token" and screen.query_one("#token-value", Input).value == "3"
        await pilot.press("escape", "3")
        await pilot.pause()
        assert screen.tabs.active == "connect-login" and screen.focused.id == "login-username"
        await pilot.press("escape")
        assert isinstance(screen.focused, Tabs)
        await pilot.press("right")
        assert screen.tabs.active == "connect-demo"
        await pilot.press("left", "left")
        assert screen.tabs.active == "connect-token"
        await pilot.press("1")
        await pilot.pause()
        assert screen.tabs.active == "connect-demo" and screen.focused.id == "demo-start"
        await pilot.press("right")  # from the demo button too
        assert screen.tabs.active == "connect-token" and isinstance(screen.focused, Tabs)


async def test_a_refused_token_is_not_saved_and_the_right_one_connects(no_target, demo_server):
    app = connect_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("2", "shift+tab")  # from the token field back to the origin
        assert screen.focused.id == "token-origin"
        await type_into_empty_field(pilot, demo_server.origin)
        await pilot.press("tab", *"not-the-demo-token", "enter")
        await until_idle(app, pilot)
        await wait_until(pilot, lambda: "refused" in screen.message, what="the refusal")
        assert app.screen is screen
        assert screen.message == "Not connected: the token was refused: HTTP 401: Authentication failed"
        assert "not-the-demo-token" not in app.export_screenshot()
        assert not (no_target / "config" / "profiles.json").exists()
        assert screen.focused.id == "token-value"  # back in the field, to correct it
        await type_into_empty_field(pilot, demo_server.token)
        await pilot.press("tab", *"by-keys", "enter")
        await until_idle(app, pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), what="the main screen")
        assert app.screen.status_bar.profile == "by-keys"
    saved = json.loads((no_target / "config" / "profiles.json").read_text())
    assert saved["current"] == "by-keys"
    assert saved["profiles"]["by-keys"]["token"] == demo_server.token
    assert saved["profiles"]["by-keys"]["username"] == "demo"  # as the server confirmed it


async def test_a_login_whose_api_origin_refuses_the_token_is_not_saved(no_target, demo_server, make_demo_server):
    other = make_demo_server()  # logs in fine, but its token is not the one of the API origin given
    with pytest.raises(LoginError, match="the token was refused: HTTP 401"):
        await save_choice(LoginChoice(other.origin, "demo", "demo", "mixed", demo_server.origin))
    assert not (no_target / "config" / "profiles.json").exists()
    # An origin that is not a Puter API (a plain web server) confirms nothing either.
    web = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(no_target)))
    threading.Thread(target=web.serve_forever, daemon=True).start()
    try:
        with pytest.raises(LoginError, match=r"did not confirm the token \(is it the API origin\?\): HTTP 404"):
            await save_choice(TokenChoice(f"http://127.0.0.1:{web.server_port}", demo_server.token))
    finally:
        web.shutdown()
        web.server_close()
    assert not (no_target / "config" / "profiles.json").exists()


@pytest.mark.parametrize("generation", ["v1", "v2"])
async def test_the_demo_whoami_answers_like_the_real_servers(make_demo_server, generation):
    server = make_demo_server(generation=generation)
    real = load(FIXTURES_DIR / generation / "auth-whoami.txt")
    account = await whoami(server.origin, server.token)
    assert account["username"] == "demo" and set(account) <= set(json.loads(real.body))
    refused = load(FIXTURES_DIR / generation / "err-bad-token-garbage.txt")
    async with httpx.AsyncClient() as http:
        answer = await http.get(server.origin + "/whoami", headers={"Authorization": "Bearer garbage-token"})
    assert answer.status_code == refused.status == 401
    if generation == "v1":  # v2's capture of a garbage token is its `reauth_required` for an old-style token
        assert answer.json() == json.loads(refused.body)
    with pytest.raises(LoginError, match="the token was refused: HTTP 401: Authentication failed"):
        await whoami(server.origin, "garbage-token")
