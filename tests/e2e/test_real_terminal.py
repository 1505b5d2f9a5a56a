"""The installed `puter-explorer --demo` in a real pseudo-terminal: crashes that only happen in a real
terminal (a native highlighter once segfaulted there) cannot hide from this test.

The screen is read through pyte, a terminal emulator, so the test sees what a person would see.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import struct
import sys
import time
from pathlib import Path

import pyte
import pytest

if sys.platform != "win32":
    import fcntl
    import pty
    import termios

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal needs pty and termios (POSIX)")

COLUMNS, LINES = 120, 40
F5 = "\x1b[15~"


class Terminal:
    def __init__(self, argv: list[str], env: dict[str, str]):
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the program
            os.execve(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.output = bytearray()

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    return
                if not data:
                    return
                self.output.extend(data)
                self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, predicate, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.2)
            assert self.alive(), f"the program died; last screen:\n{self.text()}"
            if predicate(self.screen.display):
                return self.text()
        raise AssertionError(f"timed out; screen:\n{self.text()}")

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def alive(self) -> bool:
        pid, _ = os.waitpid(self.pid, os.WNOHANG)
        return pid == 0

    def close(self) -> int | None:
        if self.alive():
            os.kill(self.pid, signal.SIGTERM)
            for _ in range(50):
                if not self.alive():
                    break
                time.sleep(0.1)
            else:
                os.kill(self.pid, signal.SIGKILL)
        os.close(self.fd)
        return None


def installed_command() -> str:
    beside_python = Path(sys.executable).parent / "puter-explorer"
    found = str(beside_python) if beside_python.exists() else shutil.which("puter-explorer")
    if not found:
        pytest.fail("the puter-explorer command is not installed (pip install -e .)")
    return found


def tree_pane(lines: list[str]) -> list[str]:
    """The method tree's column, line by line, without its borders."""
    return [line[:29].strip("▊▎▕ ") for line in lines]


def right_pane(lines: list[str]) -> str:
    return "\n".join(line[76:] for line in lines)


def test_installed_command_sends_a_call_and_shows_the_result(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PUTER_")},
           "TERM": "xterm-256color", "COLORTERM": "truecolor", "PUTER_EXPLORER_HOME": str(tmp_path),
           "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
    terminal = Terminal([installed_command(), "--demo"], env)
    try:
        terminal.wait_for(lambda lines: any("puter-kvstore" in l for l in lines) and
                          any("generation: v2" in l for l in lines))
        # Find kv set with the filter, open it (its template sets "greeting" to "hello"), send it.
        terminal.type("kv set")
        terminal.wait_for(lambda lines: "kv set" in tree_pane(lines) and "└── set" in tree_pane(lines))
        terminal.type("\r")  # into the tree, on the match: the panel's last line names it
        terminal.wait_for(lambda lines: "puter-kvstore.set" in tree_pane(lines))
        terminal.type("\r")
        terminal.wait_for(lambda lines: any('"greeting"' in l for l in lines))
        terminal.type(F5)
        terminal.wait_for(lambda lines: "puter-kvstore.set" in right_pane(lines) and "HTTP 200" in right_pane(lines))
        # Now kv get: its result, read from the screen, is the value the first call stored.
        terminal.type("\x10")  # ctrl+p: the command palette lists every method
        terminal.wait_for(lambda lines: any("Search for commands" in l for l in lines))
        terminal.type("puter-kvstore.get")
        # the palette's hit names the service too (what was typed does not): the search is done
        terminal.wait_for(lambda lines: any("puter-kvstore.get (puter-kvstore)" in l for l in lines))
        terminal.type("\r")
        terminal.wait_for(lambda lines: any('"key": "greeting"' in l for l in lines) and
                          not any('"value"' in l for l in lines))
        terminal.type(F5)
        screen = terminal.wait_for(lambda lines: '"hello"' in right_pane(lines))
        assert "puter-kvstore.get" in right_pane(screen.splitlines())
        assert terminal.alive()
    finally:
        terminal.close()
