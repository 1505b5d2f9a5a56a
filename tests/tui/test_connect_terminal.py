"""The installed command with no token configured, in a real pseudo-terminal: the connect screen comes
first (the wiring of `run_tui` in the CLI), choosing the demo server connects,
and a token typed by keys is checked with the server before it is saved."""

from __future__ import annotations

import json
import os
import sys

import pytest

from tests.e2e.test_real_terminal import COLUMNS, LINES, Terminal, installed_command

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal needs pty and termios (POSIX)")

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


def field(lines: list[str], label: str) -> tuple[int, str]:
    """(row, text shown) of the input field under `label` on the connect screen."""
    row = next(n for n, line in enumerate(lines) if line.strip(" █").startswith(label)) + 2
    return row, lines[row].strip(" █▊▎")


def test_a_token_is_checked_before_it_is_saved_by_keys_in_a_real_terminal(tmp_path, demo_server):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PUTER_")},
           "TERM": "xterm-256color", "PUTER_EXPLORER_HOME": str(tmp_path),
           "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
    profiles = tmp_path / "config" / "profiles.json"
    terminal = Terminal([installed_command()], env)

    def typed(keys: str, label: str, shows: str | None = None) -> None:
        """One write, as a person types (a burst of text arrives as a paste); then wait until the field under
        `label` has the terminal's cursor and shows `shows` (when given)."""
        terminal.type(keys)

        def done(lines: list[str]) -> bool:
            row, text = field(lines, label)
            return terminal.screen.cursor.y == row and (shows is None or text == shows)

        terminal.wait_for(done)

    try:
        terminal.wait_for(lambda lines: any("2 API origin + token" in l for l in lines))
        terminal.type("2")  # the token way: the cursor goes to the token field, and the footer offers Escape only
        terminal.wait_for(lambda lines: "esc Tabs" in lines[-1] and "Demo" not in lines[-1])
        typed(SHIFT_TAB, "API origin")  # back to the origin field
        typed(END, "API origin")
        typed(CTRL_U, "API origin", shows="")
        typed(demo_server.origin, "API origin", shows=demo_server.origin)
        typed("\t", "Token")
        typed("wrong-token-typed", "Token", shows="•" * len("wrong-token-typed"))
        terminal.type("\r")
        screen = terminal.wait_for(lambda lines: any("the token was refused" in l for l in lines))
        assert "HTTP 401: Authentication failed" in screen and "Connect to a Puter server" in screen
        assert not profiles.exists()
        typed(END, "Token")  # still in the token field
        typed(CTRL_U, "Token", shows="auth token")  # empty: its placeholder
        typed(demo_server.token, "Token", shows="•" * len(demo_server.token))
        typed("\t", "Save as profile")
        typed("from-pty", "Save as profile", shows="from-pty")
        terminal.type("\r")
        terminal.wait_for(lambda lines: any("generation: v2" in l for l in lines))
        assert json.loads(profiles.read_text())["current"] == "from-pty"
        assert demo_server.token.encode() not in terminal.output and b"wrong-token-typed" not in terminal.output
    finally:
        terminal.close()
