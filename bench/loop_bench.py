"""How the app's event loop copes with heavy answers: a long stream, a 7.6 MB result, a 60 MB result.

Run:  python bench/loop_bench.py [--quick] [--json PATH] [--timeout S] [--only stream,big,huge] [--runs N]

For each scenario the real app runs headless (Textual's Pilot, 120x40) against bench/heavy_server.py (in
its own process), sends `bench.<scenario>` and, until the outcome is shown plus 1 s, measures:

- stalls: a task in the app's loop sleeps 5 ms again and again; the overshoot of each sleep is a stall;
- keys: every 100 ms a "q" is typed into the method filter box, sent from a thread as a terminal's keys
  are (a stalled loop delays their handling, not their sending); a key's latency is the time until the
  box's value has grown by it;
- when the first result row is on screen (the outcome pane, as the compositor renders it), and when the
  call is done (no longer pending) with its result on screen.

Each scenario runs in a child process with a hard deadline (--timeout after the send, default 60 s): a
scenario that does not finish in time is reported as ">N" ms. With --runs, each figure is the median of
the runs. Under the table, where the loop was while stalled (its stack sampled every 20 ms once it is
50 ms late; a site in `selectors.py select` means the loop waited for the GIL, held by another thread, or
for the CPU).
`--quick` uses small answers (500 chunks, 1 MB, 5 MB) and runs in a few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import heavy_server  # noqa: E402

SCENARIOS = ("stream", "big", "huge")
# Text that shows the result is on screen: a long unbroken line may wrap anywhere, so also its first characters.
MARKERS = {
    "stream": (heavy_server.STREAM_WORD,),
    "big": (heavy_server.FIRST_RECORD, '{"success":true'),
    "huge": (heavy_server.FIRST_RECORD, '{"success":true'),
}
FULL = {"stream_chunks": 6000, "stream_rate": 500, "big_bytes": 7_600_000, "huge_bytes": 60_000_000}
QUICK = {"stream_chunks": 500, "stream_rate": 500, "big_bytes": 1_000_000, "huge_bytes": 5_000_000}
TICK = 0.005  # the monitor's sleep
BLAME_AFTER, BLAME_EVERY = 0.05, 0.02  # sample the loop's stack every 20 ms once it is 50 ms late
KEY_EVERY = 0.1
AFTER_DONE = 1.0  # keep measuring this long once the outcome is shown
SIZE = (120, 40)


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


# -- one scenario, in a child process ----------------------------------------------------------------


def stall_site(frame: Any) -> str:
    """Where the loop is stuck: the innermost frame of the app's code, of a library, and of all."""
    stack = traceback.extract_stack(frame)
    stdlib = sysconfig.get_paths()["stdlib"]
    ours = next((f for f in reversed(stack) if f"{os.sep}explorer{os.sep}" in f.filename), None)
    library = next((f for f in reversed(stack)
                    if not f.filename.startswith(stdlib) or "site-packages" in f.filename), None)

    def short(f: traceback.FrameSummary) -> str:
        return f"{Path(f.filename).parent.name}/{Path(f.filename).name}:{f.lineno} {f.name}"

    chain = []
    for f in (ours, library, stack[-1]):
        if f is not None and short(f) not in chain:
            chain.append(short(f))
    return " > ".join(chain)


def chunk_count(call: Any) -> int:
    stream = getattr(call, "stream", None)
    if stream is not None and hasattr(stream, "chunk_count"):
        return stream.chunk_count
    outcome = getattr(call, "outcome", None)
    if outcome is not None and getattr(outcome, "chunk_count", -1) >= 0:
        return outcome.chunk_count
    return len(getattr(outcome, "chunks", None) or getattr(call, "chunks", None) or [])


def pane_text(app: Any, widget: Any) -> str:
    """What the compositor draws in `widget`'s region right now (only the widgets there are rendered)."""
    from textual.strip import Strip

    region = widget.region
    chops = app.screen._compositor._render_chops(region, lambda y: True)
    rows = chops[region.y : region.y + region.height]
    return "\n".join(Strip.join([s for x, s in sorted(row.items()) if s is not None and x >= region.x]).text
                     for row in rows)


async def measure(scenario: str, origin: str, home: Path, timeout: float) -> dict[str, Any]:
    import explorer
    from textual import events
    from textual.widgets import Input

    from explorer.protocol.client import CallRequest
    from explorer.session import open_session
    from explorer.tui.app import ExplorerApp

    os.environ["PUTER_EXPLORER_HOME"] = str(home)
    markers = MARKERS[scenario]
    out: dict[str, Any] = {"scenario": scenario, "code": str(Path(explorer.__file__).parent), "error": None}
    session = await open_session(origin=origin, token="bench", history_path=home / "history.sqlite3")
    app = ExplorerApp(session)
    try:
        async with app.run_test(size=SIZE) as pilot:
            ready_by = time.perf_counter() + 30
            while getattr(app.screen, "catalog", None) is None:
                if time.perf_counter() > ready_by:
                    raise TimeoutError("discovery did not finish")
                await pilot.pause(0.05)
            screen = app.screen
            box = screen.query_one("#tree-filter", Input)
            box.focus()
            await pilot.pause()

            changes: list[tuple[float, str]] = []
            screen.watch(box, "value", lambda value: changes.append((time.perf_counter(), value)), init=False)
            stalls: list[float] = []
            pressed: list[float] = []  # when each key was sent; key n makes the value n + 1 "q"s long
            stop, halt = asyncio.Event(), threading.Event()

            last_tick = [time.perf_counter()]
            sites: dict[str, int] = {}

            async def monitor() -> None:
                while not stop.is_set():
                    before = time.perf_counter()
                    await asyncio.sleep(TICK)
                    last_tick[0] = time.perf_counter()
                    stalls.append(last_tick[0] - before - TICK)

            def blame() -> threading.Thread:
                # While the loop is stalled, sample where its thread is: the sites of the long stalls.
                loop_thread = threading.get_ident()

                def watch() -> None:
                    while not halt.is_set():
                        halt.wait(BLAME_EVERY)
                        if time.perf_counter() - last_tick[0] > BLAME_AFTER:
                            frame = sys._current_frames().get(loop_thread)
                            if frame is not None:
                                where = stall_site(frame)
                                sites[where] = sites.get(where, 0) + 1
                thread = threading.Thread(target=watch, daemon=True)
                thread.start()
                return thread

            def presser() -> None:
                # From a thread, as a terminal's keys come (Textual's input thread): a stalled loop
                # does not delay the sending, only the handling. The Key events are the ones Pilot sends.
                next_at = time.perf_counter()
                while not halt.is_set():
                    key = events.Key("q", "q")
                    key.set_sender(app)
                    pressed.append(time.perf_counter())
                    app._driver.send_message(key)
                    next_at += KEY_EVERY
                    halt.wait(max(0.0, next_at - time.perf_counter()))

            sent = time.perf_counter()
            call = screen.start_call(CallRequest(interface="bench", method=scenario, service="heavy", args={}))
            tasks = [asyncio.create_task(monitor())]
            threads = [blame(), threading.Thread(target=presser, daemon=True)]
            threads[1].start()
            first_seen = done_at = None
            probes: list[float] = []  # what reading the screen costs the loop (it is in the figures)
            deadline = sent + timeout
            while time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
                probe = time.perf_counter()
                shown = pane_text(app, screen.outcome_view)
                visible = any(marker in shown for marker in markers)
                now = time.perf_counter()
                probes.append(now - probe)
                if visible and first_seen is None:
                    first_seen = now
                if done_at is None and visible and call.kind != "pending":
                    done_at = now
                if done_at is not None and now >= done_at + AFTER_DONE:
                    break
            halt.set()
            for thread in threads:
                thread.join(5)
            await asyncio.sleep(0.2)  # the keys just sent
            stop.set()
            await asyncio.wait(tasks, timeout=30)
            answered = [t - p for p, (t, _) in zip(pressed, changes)]  # one change a key, in order
            out.update(
                kind=call.kind,
                chunks=chunk_count(call) if scenario == "stream" else None,
                first_visible_ms=ms(first_seen - sent if first_seen else None),
                done_ms=ms(done_at - sent if done_at else None),
                stall_max_ms=ms(max(stalls, default=None)),
                stall_p99_ms=ms(percentile(stalls, 99)),
                stalls_over_100ms=sum(1 for s in stalls if s > 0.1),
                screen_read_max_ms=ms(max(probes, default=None)),
                keys=len(pressed),
                keys_unanswered=len(pressed) - len(answered),
                key_worst_ms=ms(max(answered, default=None)),
                key_median_ms=ms(statistics.median(answered) if answered else None),
                key_p90_ms=ms(percentile(answered, 90)),
                stall_sites=[{"where": w, "ms": n * BLAME_EVERY * 1000}
                             for w, n in sorted(sites.items(), key=lambda item: -item[1])[:5]],
            )
            if any(v != "q" * (n + 1) for n, (_, v) in enumerate(changes)):
                out["error"] = "the filter box did not take the keys one by one"
            if done_at is None:
                out["error"] = f"not shown within {timeout:g} s"
    finally:
        await session.aclose()
    return out


def child(options: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as home:
        result = asyncio.run(measure(options.one, options.origin, Path(home), options.timeout))
    Path(options.out).write_text(json.dumps(result))


# -- the driver ------------------------------------------------------------------------------------


def run_one(scenario: str, origin: str, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder, "result.json")
        argv = [sys.executable, __file__, "--one", scenario, "--origin", origin, "--timeout", str(timeout),
                "--out", str(out)]
        try:
            process = subprocess.run(argv, timeout=timeout + 45, capture_output=True, text=True)
        except subprocess.TimeoutExpired:
            return {"scenario": scenario, "error": f"killed: no result within {timeout + 45:g} s"}
        if out.exists():
            return json.loads(out.read_text())
        return {"scenario": scenario, "error": f"exit {process.returncode}: {process.stderr.strip()[-2000:]}"}


def combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs of one scenario: the median of each figure (a missing time counts as endless)."""
    if len(runs) == 1:
        return runs[0]
    out: dict[str, Any] = {"scenario": runs[0]["scenario"], "runs": runs}
    for key in {k for run in runs for k in run}:
        values = [run.get(key) for run in runs]
        if key.endswith("_ms") or key in ("keys", "chunks", "keys_unanswered", "stalls_over_100ms"):
            ranked = sorted(values, key=lambda v: float("inf") if v is None else v)
            out[key] = ranked[len(ranked) // 2]
        elif key == "stall_sites":
            merged: dict[str, float] = {}
            for run in runs:
                for site in run.get(key, []):
                    merged[site["where"]] = merged.get(site["where"], 0) + site["ms"] / len(runs)
            out[key] = [{"where": w, "ms": t} for w, t in sorted(merged.items(), key=lambda i: -i[1])[:5]]
        elif key == "error":
            errors = sorted({str(v).splitlines()[0] for v in values if v})
            out[key] = "; ".join(f"{e} ({sum(1 for v in values if v and str(v).startswith(e))}/{len(runs)})"
                                 for e in errors) or None
        elif key not in ("runs", "last_screen"):
            out[key] = values[0]
    return out


def cell(value: Any, timeout: float) -> str:
    if value is None:
        return f">{timeout * 1000:g}"
    return f"{value:.0f}" if isinstance(value, float) else str(value)


def table(results: list[dict[str, Any]], timeout: float) -> str:
    columns = [("scenario", "scenario"), ("stall max", "stall_max_ms"), ("stall p99", "stall_p99_ms"),
               ("key worst", "key_worst_ms"), ("key median", "key_median_ms"), ("keys", "keys"),
               ("first row", "first_visible_ms"), ("done", "done_ms"), ("chunks", "chunks")]
    lines = ["  ".join(f"{title:>10}" for title, _ in columns) + "   (ms)"]
    for result in results:
        if "keys" not in result:
            lines.append(f"{result['scenario']:>10}  {result.get('error')}")
            continue
        row = [cell(result.get(key), timeout) if key.endswith("_ms") else str(result.get(key) if result.get(key) is not None else "-")
               for _, key in columns]
        lines.append("  ".join(f"{value:>10}" for value in row))
        if result.get("keys_unanswered"):
            lines.append(f"{'':>10}  {result['keys_unanswered']} key(s) never processed")
        for site in result.get("stall_sites", [])[:3]:
            lines.append(f"{'':>10}  stalled ~{site['ms']:.0f} ms in {site['where']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small answers: a few seconds in all")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--timeout", type=float, default=60.0, help="give up on a scenario this long after the send")
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--runs", type=int, default=1, help="run each scenario this many times: medians")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--origin", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        child(options)
        return
    sizes = QUICK if options.quick else FULL
    scenarios = [s for s in options.only.split(",") if s in SCENARIOS]
    results = []
    with heavy_server.spawned(**sizes) as origin:
        for scenario in scenarios:
            runs = []
            for _ in range(options.runs):
                started = time.monotonic()
                runs.append(run_one(scenario, origin, options.timeout))
                print(f"{scenario}: {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
            results.append(combine(runs))
    code = next((r["code"] for r in results if r.get("code")), "?")
    print(f"loop bench (headless, {SIZE[0]}x{SIZE[1]}), {'quick' if options.quick else 'full'} sizes {sizes}"
          + (f", median of {options.runs} runs" if options.runs > 1 else ""))
    print(f"explorer code: {code}")
    print(table(results, options.timeout))
    if options.json:
        Path(options.json).write_text(json.dumps({"mode": "headless", "sizes": sizes, "results": results}, indent=2))


if __name__ == "__main__":
    main()
