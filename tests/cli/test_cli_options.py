"""Subcommand options: each help lists what the subcommand uses; `demo-server --token`; the recommended
service for a v1 call without `--service`; a login whose token the API origin refuses is not saved."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time

import httpx
import pytest

from explorer.cli import EXIT_DRIVER_ERROR, EXIT_FAILURE, EXIT_OK

CLIENT = ("--origin", "--token", "--profile", "--demo", "--demo-generation", "--timeout")
CHAT = '{"model":"fake","messages":[{"role":"user","content":"hello"}]}'


@pytest.mark.parametrize("command, shown", [
    (["demo-server"], ("--host", "--port", "--generation", "--token", "--debug")),
    (["history"], ("--limit", "--search", "--debug")),
    (["show"], ("--json",)),
    (["diff"], ("--debug",)),
    (["login"], ("--gui-origin", "--username", "--api-origin", "--save-as")),
    (["profiles"], ("--origin", "--token", "--set-origin", "--token-stdin")),
    (["export"], ("--as", "--with-token", "--token", "--profile")),
    (["call"], CLIENT + ("--service", "--args")),
    (["interfaces"], CLIENT),
    (["replay"], CLIENT),
])
def test_each_help_lists_only_the_options_its_subcommand_uses(cli, command, shown):
    run = cli(*command, "--help")
    assert run.code == EXIT_OK, run.err
    listed = {word.strip("[],") for word in run.out.split() if word.startswith(("--", "[--"))}
    for option in shown:
        assert option in listed, (command, option)
    unused = set(CLIENT) - set(shown)
    assert not unused & listed, (command, unused & listed)


def serve(cli_home, *args: str) -> tuple[subprocess.Popen[str], str]:
    """`demo-server` as a subprocess; returns it and the origin it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUTER_")}
    env["PUTER_EXPLORER_HOME"] = str(cli_home)
    process = subprocess.Popen([sys.executable, "-m", "explorer", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=env)
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and selector.select(timeout=deadline - time.monotonic()):
        line = process.stdout.readline()
        if line.startswith("origin: "):
            return process, line.split(": ", 1)[1].strip()
        if not line:
            break
    process.terminate()
    process.wait(10)
    raise AssertionError("the demo server did not print its origin")


@pytest.mark.parametrize("flags", [
    ["demo-server", "--token", "tok-chosen-0001"],
    ["--token", "tok-chosen-0001", "demo-server"],  # before the subcommand, as a global option
    ["demo-server", "--demo-token", "tok-chosen-0001"],
])
def test_demo_server_token_sets_the_token_it_accepts(cli, flags):
    process, origin = serve(cli.home, *flags)
    try:
        headers = {"Authorization": "Bearer tok-chosen-0001"}
        assert httpx.get(origin + "/whoami", headers=headers, timeout=10).json()["username"] == "demo"
        refused = httpx.get(origin + "/whoami", headers={"Authorization": "Bearer other-token"}, timeout=10)
        assert refused.status_code == 401
    finally:
        process.terminate()
        process.wait(10)


def test_a_v1_call_without_service_uses_the_recommended_one_and_says_so(cli):
    run = cli("--demo", "--demo-generation", "v1", "call", "puter-chat-completion", "complete", "--args", CHAT)
    assert run.code == EXIT_OK, run.err
    assert "service: ai-chat (recommended for puter-chat-completion" in run.err
    assert "openai-completion" in run.err and json.loads(run.out)["via_ai_chat_service"] is True
    entry = json.loads(cli("history", "--json", "--limit", "1").out)[0]
    assert entry["service"] == "ai-chat"
    # --service still wins: the v1 default answers as a bare v1 server does.
    chosen = cli("--demo", "--demo-generation", "v1", "call", "puter-chat-completion", "complete",
                 "--service", "openai-completion", "--args", CHAT)
    assert chosen.code == EXIT_DRIVER_ERROR and "no_implementation_available" in chosen.err
    assert "service:" not in chosen.err and "recommended" not in chosen.err


def test_a_v2_call_without_service_leaves_the_choice_to_the_server(cli):
    run = cli("--demo", "call", "puter-chat-completion", "complete", "--args", CHAT)
    assert run.code == EXIT_OK, run.err
    assert "service:" not in run.err and "recommended" not in run.err


def test_a_login_whose_api_origin_refuses_the_token_saves_nothing(cli, make_demo_server):
    gui, api = make_demo_server(), make_demo_server()  # two servers: the token of one is foreign to the other
    run = cli("login", "--gui-origin", gui.origin, "--username", "demo", "--api-origin", api.origin, input="demo\n")
    assert run.code == EXIT_FAILURE
    assert "the token was refused: HTTP 401: Authentication failed" in run.err
    assert gui.token not in run.err + run.out
    assert not (cli.home / "config" / "profiles.json").exists()
