"""The installed command with no token configured, in a real pseudo-terminal: the connect screen comes
first (the wiring of `run_tui` in the CLI), choosing the demo server connects,
and a token typed by keys is checked with the server before it is saved."""

from __future__ import annotations

import json
import os

from tests.e2e.test_real_terminal import COLUMNS, LINES, Terminal, installed_command

SHIFT_TAB, END, CTRL_U = "\x1b[Z", "\x1b[F", "\x15"


def test_without_a_token_the_command_asks_where_to_connect(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PUTER_")},
           "TERM": "xterm-256color", "PUTER_EXPLORER_HOME": str(tmp_path),
           "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
    terminal = Terminal([installed_command()], env)
    try:
        terminal.wait_for(lambda lines: any("Connect to a Puter server" in l for l in lines))
        terminal.type("\r")  # the focused button starts the demo server
        screen = terminal.wait_for(lambda lines: any("generation: v2" in l for l in lines))
        assert "puter-kvstore" in screen and "Connect to a Puter server" not in screen
        assert not (tmp_path / "config" / "profiles.json").exists()
    finally:
        terminal.close()


def test_a_token_is_checked_before_it_is_saved_by_keys_in_a_real_terminal(tmp_path, demo_server):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PUTER_")},
           "TERM": "xterm-256color", "PUTER_EXPLORER_HOME": str(tmp_path),
           "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
    profiles = tmp_path / "config" / "profiles.json"
    terminal = Terminal([installed_command()], env)
    try:
        terminal.wait_for(lambda lines: any("2 API origin + token" in l for l in lines))
        terminal.type("2")  # the token way: the cursor goes to the token field, and the footer offers Escape only
        terminal.wait_for(lambda lines: "esc Tabs" in lines[-1] and "Demo" not in lines[-1])
        # One key per write, as a person types: a burst of text arrives as a paste.
        for keys in (SHIFT_TAB, END, CTRL_U, demo_server.origin, "\t", "wrong-token-typed", "\r"):
            terminal.type(keys)  # back to the origin field, replaced; the token; Enter
        screen = terminal.wait_for(lambda lines: any("the token was refused" in l for l in lines))
        assert "HTTP 401: Authentication failed" in screen and "Connect to a Puter server" in screen
        assert not profiles.exists()
        for keys in (END, CTRL_U, demo_server.token, "\t", "from-pty", "\r"):  # still in the token field
            terminal.type(keys)
        terminal.wait_for(lambda lines: any("generation: v2" in l for l in lines))
        assert json.loads(profiles.read_text())["current"] == "from-pty"
        assert demo_server.token.encode() not in terminal.output and b"wrong-token-typed" not in terminal.output
    finally:
        terminal.close()
