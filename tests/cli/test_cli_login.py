"""Login against the demo server's /login: the token is saved in a private profile and never printed."""

from __future__ import annotations

import json

import pytest

from explorer.protocol.client import LoginError, login

from .modes import mode, posix_modes


@pytest.mark.parametrize("fixture", ["demo_server", "demo_server_v1"])
def test_login_saves_a_profile_that_calls_work_with(cli, request, fixture):
    server = request.getfixturevalue(fixture)
    run = cli("login", "--gui-origin", server.origin, "--username", "demo", "--api-origin", server.origin,
              "--save-as", "mine", input="demo\n")
    assert run.code == 0, run.err
    assert server.token not in run.err + run.out and "profile 'mine' saved" in run.err
    profiles = cli.home / "config" / "profiles.json"
    assert json.loads(profiles.read_text())["profiles"]["mine"]["token"] == server.token
    call = cli("call", "puter-kvstore", "set", "--args", '{"key":"logged-in","value":1}')
    assert call.code == 0, call.err


@posix_modes
def test_the_profile_a_login_saves_is_private(cli, demo_server):
    run = cli("login", "--gui-origin", demo_server.origin, "--username", "demo", "--api-origin", demo_server.origin,
              input="demo\n")
    assert run.code == 0, run.err
    profiles = cli.home / "config" / "profiles.json"
    assert mode(profiles) == 0o600 and mode(profiles.parent) == 0o700


def test_wrong_password_is_refused_with_the_server_message(cli, demo_server):
    run = cli("login", "--gui-origin", demo_server.origin, "--username", "demo", input="nope\n")
    assert run.code == 3
    assert "HTTP 401" in run.err and "Incorrect password" in run.err and "nope" not in run.err
    assert not (cli.home / "config" / "profiles.json").exists()


async def test_login_function_sends_origin_of_the_gui_host(demo_server_v1):
    # v1 refuses a POST without Origin; our login always sends the GUI origin.
    result = await login(demo_server_v1.origin, "demo", "demo")
    assert result.token == demo_server_v1.token and result.user["username"] == "demo"
    with pytest.raises(LoginError):
        await login(demo_server_v1.origin, "demo", "wrong")
