"""Each subcommand's --help lists the exit codes that subcommand gives, and the command really gives them."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys

import pytest

from explorer.cli import EXIT_DRIVER_ERROR, EXIT_FAILURE, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE


def exit_codes(help_text: str) -> dict[str, str]:
    """The "exit codes:" block of a --help page: code -> meaning (its further lines joined)."""
    block = help_text.split("exit codes:\n", 1)[1].split("\n\n", 1)[0]
    codes: dict[str, str] = {}
    code = ""
    for line in block.splitlines():
        if re.match(r"  \S", line):
            code, meaning = re.split(r"\s{2,}", line.strip(), maxsplit=1)
            codes[code] = meaning
        else:
            codes[code] += " " + line.strip()
    return codes


def help_codes(cli, *command: str) -> dict[str, str]:
    run = cli(*command, "--help")
    assert run.code == EXIT_OK, run.err
    return exit_codes(run.out)


def test_diff_help_gives_the_codes_diff_exits_with(cli, against):
    flags, env = against
    for value in (1, 2):
        assert cli(*flags, "call", "puter-kvstore", "set", "--args", json.dumps({"key": "k", "value": value}),
                   env=env).code == EXIT_OK
    first, second = (str(e["id"]) for e in reversed(json.loads(cli("history", "--json").out)))
    codes = help_codes(cli, "diff")
    assert set(codes) == {"0", "1", "2", "3", "130, 143"}
    assert "driver error" not in " ".join(codes.values())
    assert cli("diff", first, first).code == EXIT_OK and "same" in codes["0"]
    assert cli("diff", first, second).code == EXIT_DRIVER_ERROR and "differ" in codes["1"]
    assert cli("diff", first, "999").code == EXIT_USAGE and "no such history entry" in codes["2"]


def test_history_and_prune_helps_give_their_own_codes(cli, against):
    flags, env = against
    assert cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"k"}', env=env).code == EXIT_OK
    listing, pruning = help_codes(cli, "history"), help_codes(cli, "history", "prune")
    assert set(listing) == set(pruning) == {"0", "2", "3", "130, 143"}  # neither has a 1
    assert cli("history", "--search", "nothing-like-this").code == EXIT_OK and "none match" in listing["0"]
    assert cli("history", "--since", "soon").code == EXIT_USAGE and "--since" in listing["2"]
    assert cli("history", "prune").code == EXIT_USAGE and "neither --older-than nor --keep" in pruning["2"]
    pruned = cli("history", "prune", "--keep", "0")
    assert pruned.code == EXIT_OK and "removed 1 entries" in pruned.err and "removed" in pruning["0"]


def test_demo_server_help_gives_the_codes_it_exits_with(cli):
    codes = help_codes(cli, "demo-server")
    assert set(codes) == {"0", "2", "3", "143"}
    assert "ctrl+c" in codes["0"]
    run = cli("demo-server", "--port", "70000")
    assert run.code == EXIT_USAGE and "0 to 65535" in run.err and "port" in codes["2"]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        run = cli("demo-server", "--port", str(taken.getsockname()[1]))
    assert run.code == EXIT_FAILURE and "the port is taken" in codes["3"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a kill on Windows")
def test_demo_server_ends_with_143_on_sigterm(cli):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUTER_")}
    env["PUTER_EXPLORER_HOME"] = str(cli.home)
    server = subprocess.Popen([sys.executable, "-m", "explorer", "demo-server"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert server.stdout.readline().startswith("origin: ")  # serving
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == EXIT_TERMINATED
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert "terminated" in server.stderr.read()


def test_call_and_replay_helps_keep_the_driver_error_code(cli):
    for command in ("call", "replay"):
        codes = help_codes(cli, command)
        assert set(codes) == {"0", "1", "2", "3", "130, 143"}
        assert "driver error" in codes["1"]
