"""The installed command with no token configured, in a real pseudo-terminal: the connect screen comes
first (the wiring of `run_tui` in the CLI), and choosing the demo server connects."""

from __future__ import annotations

import os

from tests.e2e.test_real_terminal import COLUMNS, LINES, Terminal, installed_command


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
