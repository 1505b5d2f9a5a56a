"""Keypress latency in a real terminal while heavy answers arrive: a long stream, 7.6 MB, 60 MB.

Run:  python bench/keypress_bench.py [--quick] [--json PATH] [--timeout S] [--only stream,big,huge]
                                     [--runs N] [--python-module]

For each scenario the installed `puter-explorer` (or, with --python-module, `python -m explorer` with this
interpreter and environment) runs in a pseudo-terminal (120x40, xterm-256color, a throw-away
PUTER_EXPLORER_HOME) against bench/heavy_server.py (in its own process). Its output is read through pyte,
a terminal emulator, so what is measured is what a person would see. The bench adds `bench.<scenario>`
(ctrl+n), moves to the method filter box (f2, shift+tab), sends (f5), then every ~100 ms types a key into
the filter box, alternately "q" and backspace, each once the previous one is seen: a key's latency is the
time from writing it to the terminal until the box shows it. It also records when the first row of the
result is on screen and when the call is done (HTTP status in its history row, result on screen); it stops
1 s after that, or --timeout s (default 60) after the send: then the figures are ">N" ms. With --runs,
each figure is the median of the runs.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import Any, Callable

import pyte

sys.path.insert(0, str(Path(__file__).resolve().parent))

import heavy_server  # noqa: E402
from loop_bench import FULL, MARKERS, QUICK, SCENARIOS, combine, percentile  # noqa: E402

COLUMNS, LINES = 120, 40
RIGHT = 76  # the right pane (history, outcome) starts at this column
F2, F5, SHIFT_TAB, CTRL_N, BACKSPACE = "\x1bOQ", "\x1b[15~", "\x1b[Z", "\x0e", "\x7f"
KEY_EVERY = 0.1
AFTER_DONE = 1.0


class Terminal:
    """A program in a pseudo-terminal, its screen kept by pyte. `stamp` is when the screen last changed."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str) -> None:
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.chdir(cwd)  # not the repository: `python -m explorer` would import from there
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.stamp = time.perf_counter()
        self.feed_max = 0.0  # the longest pyte took over one read: how late this bench may see a change
        self.closed = False

    def pump(self, seconds: float) -> bool:
        """Read what the program wrote for up to `seconds`; True when something arrived."""
        got = False
        deadline = time.perf_counter() + seconds
        while not self.closed:
            left = deadline - time.perf_counter()
            if not select.select([self.fd], [], [], max(0.0, min(left, 0.005)))[0]:
                if left <= 0:
                    break
                continue
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:
                data = b""
            if not data:
                self.closed = True
                break
            self.stamp = time.perf_counter()  # when the bytes arrived, before pyte parses them
            self.stream.feed(data)
            self.feed_max = max(self.feed_max, time.perf_counter() - self.stamp)
            got = True
            if left <= 0:
                break
        return got

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float, what: str) -> float:
        """Pump until `predicate(lines)`; returns when the bytes that made it true arrived."""
        deadline = time.perf_counter() + timeout
        while True:
            if predicate(self.screen.display):
                return self.stamp
            if time.perf_counter() > deadline or self.closed:
                raise TimeoutError(f"{what}: not seen within {timeout:g} s" + ("" if not self.closed else
                                   " (the program ended)") + "\n" + "\n".join(self.screen.display))
            self.pump(0.02)

    def write(self, keys: str) -> float:
        os.write(self.fd, keys.encode())
        return time.perf_counter()

    def close(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                break
            if self._reaped(5):
                break
        try:
            os.close(self.fd)
        except OSError:
            pass

    def _reaped(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    return True
            except ChildProcessError:
                return True
            if self.closed:
                time.sleep(0.05)
            else:
                self.pump(0.05)  # keep the pty drained so that the program can exit
        return False


def filter_state(lines: list[str], row: int) -> str:
    """What the filter box shows: "" (its placeholder), or its text."""
    text = lines[row][1:28].strip()
    return "" if text.startswith("filter methods") else text


def right_pane(lines: list[str]) -> str:
    return "\n".join(line[RIGHT:] for line in lines)


def program(module: bool) -> list[str]:
    if module:
        return [sys.executable, "-m", "explorer"]
    command = Path(sys.executable).parent / "puter-explorer"
    if not command.exists():
        raise SystemExit("the puter-explorer command is not installed beside this interpreter (pip install -e .)")
    return [str(command)]


def run_scenario(scenario: str, origin: str, argv: list[str], timeout: float) -> dict[str, Any]:
    markers = MARKERS[scenario]
    out: dict[str, Any] = {"scenario": scenario, "error": None}
    with tempfile.TemporaryDirectory() as home:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("PUTER_")},
               "TERM": "xterm-256color", "COLORTERM": "truecolor", "PUTER_EXPLORER_HOME": home,
               "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
        terminal = Terminal(argv + ["--origin", origin, "--token", "bench"], env, home)
        try:
            terminal.wait_for(lambda ls: any(l[:29].strip(" ▶▼").startswith("bench") for l in ls), 30, "the tree")
            row = next(n for n, line in enumerate(terminal.screen.display) if "filter methods" in line[:29])
            terminal.write(CTRL_N)
            terminal.wait_for(lambda ls: any("Add a method" in l for l in ls), 10, "the add-method dialog")
            for keys in ("bench", "\t\t", scenario, "\r"):  # interface, (no) service, method, add
                terminal.write(keys)
                terminal.pump(0.1)
            terminal.wait_for(lambda ls: any(f"+ {scenario}" in l[:29] for l in ls), 10, "the added method")
            terminal.write(F2)
            terminal.pump(0.2)
            terminal.write(SHIFT_TAB)
            terminal.pump(0.2)
            terminal.write("q")  # check that the keys go to the filter box
            terminal.wait_for(lambda ls: filter_state(ls, row) == "q", 10, "q in the filter box")
            terminal.write(BACKSPACE)
            terminal.wait_for(lambda ls: filter_state(ls, row) == "", 10, "the filter box empty again")

            def shown(lines: list[str]) -> bool:
                pane = right_pane(lines)
                return any(marker in pane for marker in markers)

            def done(lines: list[str]) -> bool:
                return "HTTP 200" in right_pane(lines) and shown(lines)

            sent = terminal.write(F5)
            terminal.feed_max = 0.0
            deadline = sent + timeout
            latencies: list[float] = []
            first_seen = done_at = None
            n = 0
            while time.perf_counter() < deadline and not terminal.closed:
                key, expect = ("q", "q") if n % 2 == 0 else (BACKSPACE, "")
                n += 1
                written = terminal.write(key)
                answered = None
                while time.perf_counter() < deadline and not terminal.closed:
                    lines = terminal.screen.display
                    if first_seen is None and shown(lines):
                        first_seen = terminal.stamp
                    if done_at is None and done(lines):
                        done_at = terminal.stamp
                    if filter_state(lines, row) == expect:
                        answered = terminal.stamp
                        break
                    terminal.pump(0.01)
                if answered is None:  # still not shown at the deadline: it waited at least this long
                    out["key_pending_ms"] = round((time.perf_counter() - written) * 1000, 1)
                    break
                latencies.append(answered - written)
                if done_at is not None and time.perf_counter() >= done_at + AFTER_DONE:
                    break
                pause_until = written + KEY_EVERY
                while time.perf_counter() < pause_until:
                    terminal.pump(min(0.01, pause_until - time.perf_counter()))
                    lines = terminal.screen.display
                    if first_seen is None and shown(lines):
                        first_seen = terminal.stamp
                    if done_at is None and done(lines):
                        done_at = terminal.stamp
            out.update(
                first_visible_ms=None if first_seen is None else round((first_seen - sent) * 1000, 1),
                done_ms=None if done_at is None else round((done_at - sent) * 1000, 1),
                keys=len(latencies) + ("key_pending_ms" in out),
                key_worst_ms=round(max(latencies) * 1000, 1) if latencies else None,
                key_median_ms=round(statistics.median(latencies) * 1000, 1) if latencies else None,
                key_p90_ms=round(percentile(latencies, 90) * 1000, 1) if latencies else None,
                alive=not terminal.closed,
                feed_max_ms=round(terminal.feed_max * 1000, 1),
            )
            if done_at is None:
                out["error"] = "the program ended" if terminal.closed else f"not shown within {timeout:g} s"
                out["last_screen"] = "\n".join(terminal.screen.display)
        except TimeoutError as why:
            out["error"] = str(why)
        finally:
            terminal.close()
    return out


def code_path(argv: list[str]) -> str:
    """Where the explorer package the program imports lives."""
    python = sys.executable if argv[0] == sys.executable else str(Path(argv[0]).parent / "python")
    with tempfile.TemporaryDirectory() as elsewhere:  # as the program runs: not from the repository
        found = subprocess.run([python, "-c", "import explorer; print(explorer.__file__)"], capture_output=True,
                               text=True, timeout=60, cwd=elsewhere)
    return str(Path(found.stdout.strip()).parent) if found.returncode == 0 else "?"


def table(results: list[dict[str, Any]], timeout: float) -> str:
    columns = [("scenario", "scenario"), ("key worst", "key_worst_ms"), ("key median", "key_median_ms"),
               ("key p90", "key_p90_ms"), ("keys", "keys"), ("first row", "first_visible_ms"), ("done", "done_ms")]
    lines = ["  ".join(f"{title:>10}" for title, _ in columns) + "   (ms)"]
    for result in results:
        if "keys" not in result:
            lines.append(f"{result['scenario']:>10}  {result.get('error', '').splitlines()[0]}")
            continue
        row = []
        for _, key in columns:
            value = result.get(key)
            if value is None:
                value = f">{timeout * 1000:g}" if key.endswith("_ms") else "-"
            elif key == "key_worst_ms" and result.get("key_pending_ms", 0) > value:
                value = f">{result['key_pending_ms']:.0f}"  # the last key was never shown
            row.append(f"{value:.0f}" if isinstance(value, float) else str(value))
        lines.append("  ".join(f"{value:>10}" for value in row))
        if result.get("error"):
            lines.append(f"{'':>10}  {result['error'].splitlines()[0]}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small answers: a few seconds a scenario")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--timeout", type=float, default=60.0, help="give up on a scenario this long after the send")
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--runs", type=int, default=1, help="run each scenario this many times: medians")
    parser.add_argument("--python-module", action="store_true", help="run `python -m explorer` with this interpreter")
    options = parser.parse_args()
    sizes = QUICK if options.quick else FULL
    argv = program(options.python_module)
    code = code_path(argv)
    results = []
    with heavy_server.spawned(**sizes) as origin:
        for scenario in [s for s in options.only.split(",") if s in SCENARIOS]:
            runs = []
            for _ in range(options.runs):
                started = time.monotonic()
                runs.append(run_scenario(scenario, origin, argv, options.timeout))
                print(f"{scenario}: {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
            results.append(combine(runs))
    print(f"keypress bench (pty {COLUMNS}x{LINES}), {'quick' if options.quick else 'full'} sizes {sizes}"
          + (f", median of {options.runs} runs" if options.runs > 1 else ""))
    print(f"program: {' '.join(argv)}; explorer code: {code}")
    print(table(results, options.timeout))
    if options.json:
        Path(options.json).write_text(json.dumps({"mode": "pty", "sizes": sizes, "code": code, "results": results},
                                                 indent=2))


if __name__ == "__main__":
    main()
