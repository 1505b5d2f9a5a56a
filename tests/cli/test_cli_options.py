"""Subcommand options: each help lists what the subcommand uses; `demo-server --token` and the lines it
prints to keep using it; the recommended service for a v1 call without `--service`; a login whose token the
API origin refuses is not saved."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
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
    (["diff"], ("--json", "--debug")),
    (["config"], ("--json", "--debug")),
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


class Served:
    """`demo-server` as a subprocess, its stdout read line by line in a thread (pipes cannot be polled on
    Windows)."""

    def __init__(self, cli_home, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PUTER_")}
        env["PUTER_EXPLORER_HOME"] = str(cli_home)
        self.process = subprocess.Popen([sys.executable, "-m", "explorer", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True, env=env)
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def lines_until(self, last_prefix: str, timeout: float = 30) -> list[str]:
        """The lines printed up to the first that starts with `last_prefix`."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                break
            seen.append(line)
            if line.startswith(last_prefix):
                return seen
        raise AssertionError(f"the demo server printed no line starting {last_prefix!r}: {seen}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.mark.parametrize("flags", [
    ["demo-server", "--token", "tok-chosen-0001"],
    ["--token", "tok-chosen-0001", "demo-server"],  # before the subcommand, as a global option
    ["demo-server", "--demo-token", "tok-chosen-0001"],
])
def test_demo_server_token_sets_the_token_it_accepts(cli, flags):
    served = Served(cli.home, *flags)
    try:
        origin = served.lines_until("origin: ")[-1].split(": ", 1)[1]
        headers = {"Authorization": "Bearer tok-chosen-0001"}
        assert httpx.get(origin + "/whoami", headers=headers, timeout=10).json()["username"] == "demo"
        refused = httpx.get(origin + "/whoami", headers={"Authorization": "Bearer other-token"}, timeout=10)
        assert refused.status_code == 401
    finally:
        served.stop()


def test_demo_server_prints_the_lines_that_keep_one_server_across_commands(cli):
    served = Served(cli.home, "demo-server")
    try:
        printed = served.lines_until("$env:PUTER_AUTH_TOKEN")
        origin = next(line for line in printed if line.startswith("origin: ")).split(": ", 1)[1]
        token = next(line for line in printed if line.startswith("token: ")).split(": ", 1)[1]
        assert f"export PUTER_API_ORIGIN={origin}" in printed and f"export PUTER_AUTH_TOKEN={token}" in printed
        assert f'set "PUTER_API_ORIGIN={origin}"' in printed and f'set "PUTER_AUTH_TOKEN={token}"' in printed
        assert f"$env:PUTER_API_ORIGIN = '{origin}'" in printed and f"$env:PUTER_AUTH_TOKEN = '{token}'" in printed
        # What those lines set is enough for later commands to share the one server and its data.
        exported = dict(line.removeprefix("export ").split("=", 1) for line in printed if line.startswith("export "))
        assert cli("call", "puter-kvstore", "set", "--args", '{"key":"kept","value":7}', env=exported).code == 0
        got = cli("call", "puter-kvstore", "get", "--args", '{"key":"kept"}', env=exported)
        assert got.code == 0 and json.loads(got.out) == 7
    finally:
        served.stop()


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
