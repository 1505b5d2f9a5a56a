"""First paint: `puter-explorer --demo` against a bare Textual app showing one label, in a real terminal.

Run:  python -m bench.first_paint_bench [--runs N | --quick] [--json [PATH]] [--source DIR] [--also DIR ...]

Each variant runs in a pseudo-terminal (120x40, xterm-256color, a fresh PUTER_EXPLORER_HOME per run), the
variants interleaved, N times each after one warm-up run each (not counted). A run is timed from just before
the fork until the screen shows:

- bare: its label;
- explorer: `paint`, the main screen (the status bar with "generation:" and the method tree saying
  "discovering…"); `tree`, the first interface name in the method tree (the catalogue has arrived).

The reading loop only stamps and keeps the bytes; they are replayed through pyte (a terminal emulator)
afterwards, and a moment is the arrival time of the read that completed what is looked for, so the
emulator's own speed is not measured (the live checks that decide when to stop reading look at the bytes
with the escape sequences taken out). The explorer runs as `python -m explorer --demo` with
PYTHONPATH=--source (default: this checkout); each --also DIR adds the same for another copy of the source
(e.g. a `git archive` of an older commit), interleaved with the others.

Prints median, min and max per variant and the ratios of the medians to the bare app's; `run()` returns
the same figures as a dict, and --json prints them (or writes them to PATH).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import pyte

COLUMNS, LINES = 120, 40
ROOT = Path(__file__).resolve().parents[1]
BARE_LABEL = "bare textual app ready"
BARE_APP = f'''
from textual.app import App
from textual.widgets import Label


class Bare(App):
    def compose(self):
        yield Label("{BARE_LABEL}")


Bare().run()
'''
TIMEOUT_S = 30.0
TAIL_S = 0.05  # read this long after the last marker, so a frame split over reads is complete
INTERFACE = re.compile(r"\bputer-(?!explorer)[a-z][a-z-]*")
LEFT_PANE = 40  # columns: the method tree lives left of this
ESCAPES = re.compile(rb"\x1b(?:\[[0-9;?<=>]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
GOAL = 1.5


def visible(raw: bytes) -> str:
    """The text in the bytes without escape sequences: a styled word is one run of letters again."""
    return ESCAPES.sub(b"", raw).decode("utf-8", "replace")


@dataclass
class Variant:
    name: str
    argv: list[str]
    pythonpath: str | None
    # (label, live check on the raw bytes, exact check on the screen)
    marks: list[tuple[str, Callable[[bytes], bool], Callable[[list[str]], bool]]]
    times: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def explorer_variant(name: str, source: Path) -> Variant:
    def painted(lines: list[str]) -> bool:
        return "generation:" in lines[0] and any("discovering…" in line[:LEFT_PANE] for line in lines[1:])

    def tree(lines: list[str]) -> bool:
        return any(INTERFACE.search(line[:LEFT_PANE]) for line in lines[1:])

    return Variant(
        name=name,
        argv=[sys.executable, "-m", "explorer", "--demo"],
        pythonpath=str(source),
        marks=[
            ("paint", lambda raw: "generation:" in (text := visible(raw)) and "discovering…" in text, painted),
            ("tree", lambda raw: INTERFACE.search(visible(raw)) is not None, tree),
        ],
    )


def bare_variant(script: Path) -> Variant:
    return Variant(
        name="bare",
        argv=[sys.executable, str(script)],
        pythonpath=None,
        marks=[("paint", lambda raw: BARE_LABEL in visible(raw), lambda lines: any(BARE_LABEL in l for l in lines))],
    )


def environment(home: str, pythonpath: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PUTER_", "TEXTUAL", "PYTHON")) and k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env.update(TERM="xterm-256color", PUTER_EXPLORER_HOME=home)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


def run_once(variant: Variant) -> dict[str, float]:
    """One run; the moments (ms from the fork) at which each mark was first on screen."""
    with tempfile.TemporaryDirectory(prefix="first-paint-") as home:
        env = environment(home, variant.pythonpath)
        reads: list[tuple[float, bytes]] = []
        started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            try:
                # Sized before exec, so the program's first look at the terminal already sees 120x40.
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
                os.chdir(home)  # not the repository: `python -m` puts the working folder on sys.path
                os.execve(variant.argv[0], variant.argv, env)
            finally:
                os._exit(127)
        try:
            raw = bytearray()
            seen: set[str] = set()
            last_mark = None
            deadline = started + TIMEOUT_S
            while time.perf_counter() < deadline:
                if last_mark is not None and time.perf_counter() - last_mark > TAIL_S:
                    break
                if not select.select([fd], [], [], 0.005)[0]:
                    continue
                try:
                    data = os.read(fd, 1 << 16)
                except OSError:
                    break
                stamp = time.perf_counter()
                if not data:
                    break
                reads.append((stamp, data))
                raw.extend(data)
                for label, live, _exact in variant.marks:
                    if label not in seen and live(bytes(raw)):
                        seen.add(label)
                if len(seen) == len(variant.marks) and last_mark is None:
                    last_mark = stamp
        finally:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            os.close(fd)
    return replay(variant, reads, started)


def replay(variant: Variant, reads: list[tuple[float, bytes]], started: float) -> dict[str, float]:
    screen = pyte.Screen(COLUMNS, LINES)
    stream = pyte.ByteStream(screen)
    found: dict[str, float] = {}
    for stamp, data in reads:
        stream.feed(data)
        lines = screen.display
        for label, _live, exact in variant.marks:
            if label not in found and exact(lines):
                found[label] = (stamp - started) * 1000
        if len(found) == len(variant.marks):
            break
    missing = [label for label, _l, _e in variant.marks if label not in found]
    if missing:
        raise RuntimeError(f"{variant.name}: never showed {', '.join(missing)}; last screen:\n"
                           + "\n".join(screen.display))
    return found


def summary(values: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(values), 1), "min_ms": round(min(values), 1),
            "max_ms": round(max(values), 1), "runs": len(values)}


def run(quick: bool = False, runs: int | None = None, source: Path = ROOT, also: Sequence[Path] = (),
        log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Measure; the figures as a dict (per variant and moment: median/min/max ms and the ratio to bare)."""
    say = log or (lambda line: print(line, file=sys.stderr))
    runs = runs or (3 if quick else 10)
    with tempfile.TemporaryDirectory(prefix="first-paint-bare-") as folder:
        script = Path(folder) / "bare_app.py"
        script.write_text(BARE_APP, encoding="utf-8")
        variants = [bare_variant(script), explorer_variant("explorer", Path(source).resolve())]
        for index, other in enumerate(also, 1):
            variants.append(explorer_variant(f"explorer@{Path(other).name or index}", Path(other).resolve()))
        for variant in variants:  # warm-up: bytecode caches, the file system cache
            run_once(variant)
        for round_ in range(runs):
            order = variants if round_ % 2 == 0 else variants[::-1]
            for variant in order:
                try:
                    moments = run_once(variant)
                except RuntimeError as error:
                    variant.failures.append(str(error))
                    continue
                for label, ms in moments.items():
                    variant.times.setdefault(label, []).append(ms)
            say(f"run {round_ + 1}/{runs}: " + "  ".join(
                f"{v.name} " + "/".join(f"{v.times[l][-1]:.0f}" for l in v.times) for v in variants if v.times))

    bare = variants[0]
    if not bare.times:
        raise RuntimeError("the bare app never painted: " + "; ".join(bare.failures[:1]))
    bare_median = statistics.median(bare.times["paint"])
    result: dict[str, Any] = {"runs": runs, "terminal": f"{COLUMNS}x{LINES}", "goal_ratio": GOAL,
                              "load_average": os.getloadavg()[0], "variants": {}}
    for variant in variants:
        figures: dict[str, Any] = {}
        for label, values in variant.times.items():
            stats: dict[str, Any] = summary(values)
            stats["ratio_to_bare"] = round(stats["median_ms"] / bare_median, 2)
            figures[label] = stats
        if variant.failures:
            figures["failures"] = variant.failures
        result["variants"][variant.name] = figures
    paint = result["variants"]["explorer"].get("paint")
    result["goal_met"] = bool(paint) and paint["ratio_to_bare"] <= GOAL
    return result


def report(result: dict[str, Any]) -> str:
    lines = [f"first paint, {result['runs']} interleaved runs each, {result['terminal']} pty (ms from fork; "
             f"load average {result['load_average']:.1f})",
             f"{'variant':<22} {'moment':<6} {'median':>8} {'min':>8} {'max':>8} {'x bare':>7}"]
    for name, figures in result["variants"].items():
        for label, stats in figures.items():
            if label == "failures":
                lines.append(f"{name}: {len(stats)} failed runs; first:\n{stats[0]}")
                continue
            lines.append(f"{name:<22} {label:<6} {stats['median_ms']:>8.0f} {stats['min_ms']:>8.0f} "
                         f"{stats['max_ms']:>8.0f} {stats['ratio_to_bare']:>6.2f}x")
    paint = result["variants"]["explorer"].get("paint")
    if paint:
        lines.append(f"\ngoal: explorer paint <= {result['goal_ratio']}x bare: {paint['ratio_to_bare']:.2f}x "
                     f"({'met' if result['goal_met'] else 'NOT met'})")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="3 runs each")
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH",
                        help="print the figures as JSON (the table goes to stderr), or write them to PATH")
    parser.add_argument("--source", type=Path, default=ROOT, help="the explorer's source folder (default: this one)")
    parser.add_argument("--also", type=Path, action="append", default=[], metavar="DIR",
                        help="another copy of the source to measure, interleaved (e.g. an older commit)")
    options = parser.parse_args(argv)
    try:
        result = run(quick=options.quick, runs=None if options.quick else options.runs, source=options.source,
                     also=options.also)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    table = report(result)
    if options.json == "-":
        print(table, file=sys.stderr)
        print(json.dumps(result, indent=2))
    else:
        print(table)
        if options.json:
            Path(options.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
