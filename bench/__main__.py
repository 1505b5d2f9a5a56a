"""Every performance figure in one command, each against its anchor, in one table.

Run:  python -m bench [--quick] [--json PATH] [--only NAME,NAME]

Each figure starts its own servers on loopback (bench/heavy_server.py, the demo server) and runs the real
program: the explorer is the median of several interleaved runs (with min and max), next to an anchor that
shows what the machine itself can do (a bare Textual app, raw httpx, curl). `--quick` uses small sizes and
one or a few runs (CI); without it the sizes are the ones the goals speak of. A figure whose bench fails, or
whose module is not there, is reported as "not measured" with the reason; the others still run.

The benches it runs: first_paint_bench, call_overhead_bench (through `run(quick) -> dict` when they have
it), binary_bench, loop_bench (stream lag), keypress_bench (pty), app_open_bench and history_bench.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import heavy_server  # noqa: E402
import loop_bench  # noqa: E402

# Goals, in one place. A ratio goal compares the explorer's median with its anchor's.
GOALS = {
    "first_paint": ("<=", 1.5, "x"),  # explorer's first frame vs a bare Textual app's
    "call_overhead": ("<=", 1.05, "x"),  # Session.call without history vs raw httpx, per call
    "call_overhead_history": ("<=", 1.5, "x"),  # the same, recording every call
    "calls_in_flight_100": ("==", 100, "recorded"),  # 100 calls at once, each a result in its own entry
    "binary_throughput": (">=", 0.8, "x"),  # `call -o` vs `curl -o`, start-up included
    "binary_throughput_raw_httpx": (">=", 0.8, "x"),  # the same vs a minimal raw httpx download
    "binary_throughput_transfer": (">=", 0.8, "x"),  # `call -o` vs `curl -o`, transfer only (no start-up)
    "binary_peak_rss_growth": ("<=", 64, "MB"),  # peak RSS over a 1-byte call's
    "stream_lag": ("<=", 200, "ms"),  # the stream's end on screen after the server sent it
    "keypress_during_stream": ("<=", 150, "ms"),  # worst keypress to screen, real terminal
    "keypress_during_big_result": ("<=", 150, "ms"),
    "history_start_100k": ("<=", 1.2, "x"),  # app open until the history pane shows, vs an empty history
    "history_search_100k": ("<=", 50, "ms"),  # slowest free-text search (rare, common, two words)
}
FIGURES = tuple(GOALS)


@dataclass
class Figure:
    figure: str
    unit: str
    median: float | None = None
    min: float | None = None
    max: float | None = None
    anchor: str = "-"
    anchor_median: float | None = None
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None
    note: str = ""
    runs: int | None = None

    def judge(self) -> Figure:
        op, target, unit = GOALS[self.figure]
        self.goal = f"{op} {target:g}{unit if unit == 'x' else ' ' + unit}"
        value = self.ratio if unit == "x" else self.median
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            self.met = value <= target if op == "<=" else value >= target if op == ">=" else value == target
        return self


@dataclass
class Sizes:
    quick: bool
    runs: int = field(init=False)

    def __post_init__(self) -> None:
        self.runs = 1 if self.quick else 5


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def not_measured(name: str, unit: str, why: str) -> Figure:
    return Figure(name, unit, note=f"not measured: {why}").judge()


# -- benches that live in their own module -------------------------------------------------------------


def module_figures(name: str, quick: bool, argv: list[str]) -> dict[str, Any]:
    """A bench module's figures: `run(quick)` when it has one, else its command line with --json."""
    if not (BENCH / f"{name}.py").exists():
        raise LookupError(f"bench/{name}.py is not there")
    module = importlib.import_module(name)
    run = getattr(module, "run", None)
    if callable(run):
        return run(quick)
    return script_figures(name, argv)


def script_figures(name: str, argv: list[str], timeout: float = 900) -> Any:
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        out = Path(folder) / "figures.json"
        done = subprocess.run([sys.executable, str(BENCH / f"{name}.py"), *argv, "--json", str(out)],
                              capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        if not out.exists():
            raise RuntimeError(f"{name} exited {done.returncode}: {(done.stderr or done.stdout).strip()[-400:]}")
        return json.loads(out.read_text())


def first_paint(sizes: Sizes) -> list[Figure]:
    data = module_figures("first_paint_bench", sizes.quick, ["--quick"] if sizes.quick else ["--runs", "10"])
    explorer, bare = data["variants"]["explorer"]["paint"], data["variants"]["bare"]["paint"]
    return [Figure("first_paint", "ms", explorer["median_ms"], explorer["min_ms"], explorer["max_ms"],
                   "bare Textual app", bare["median_ms"], explorer["ratio_to_bare"], runs=explorer.get("runs"),
                   note="pty 120x40, fork to the main screen").judge()]


def call_overhead(sizes: Sizes) -> list[Figure]:
    data = module_figures("call_overhead_bench", sizes.quick, ["--quick"] if sizes.quick else [])
    per_call, raw = data["per_call_us"], data["per_call_us"]["raw"]
    figures = []
    for name, variant in (("call_overhead", "session"), ("call_overhead_history", "history")):
        mine = per_call[variant]
        figures.append(Figure(name, "µs/call", mine["median"], mine["min"], mine["max"], "raw httpx", raw["median"],
                              data["ratio_to_raw"][variant], runs=data.get("rounds"),
                              note=f"Session.call {'with' if variant == 'history' else 'without'} history, "
                                   "median of rounds").judge())
    flight = data["in_flight"]
    in_flight = Figure("calls_in_flight_100", "ms", flight["elapsed_ms"], runs=1,
                       note=f"all at once with history: {flight['distinct_entries']} entries, {flight['pending']} "
                            "pending" + (f", errors {flight['errors']}" if flight["errors"] else "")).judge()
    in_flight.met = bool(flight["ok"])  # the goal is about the entries; the time is for information
    figures.append(in_flight)
    return figures


def binary(sizes: Sizes) -> list[Figure]:
    import binary_bench

    data = binary_bench.run(sizes.quick)
    mb = data["bytes"] / 1e6
    ours, curl, raw = data["variants"]["ours"], data["variants"].get("curl"), data["variants"]["raw_httpx"]
    written = data["checks"]
    note = (f"{mb:.0f} MB, `call -o` with history vs `curl -o`, start-up included "
            f"({data['startup_s']['median']:.2f} s for a 1-byte call; without it "
            f"{data.get('ratio_to_curl_without_startup')}x)")
    if not (written.get("sha256_ok") and written.get("size_ok") and not written.get("copies_in_history")):
        note += f"; NOT written once: {written}"
    rate = ours["mb_per_s"]
    throughput = Figure("binary_throughput", "MB/s", rate["median"], rate["min"], rate["max"], "curl",
                        curl["mb_per_s"]["median"] if curl else None, data.get("ratio_to_curl"), runs=data["runs"],
                        note=note if curl else "curl is not installed: no anchor").judge()
    by_httpx = Figure("binary_throughput_raw_httpx", "MB/s", rate["median"], rate["min"], rate["max"], "raw httpx",
                      raw["mb_per_s"]["median"], data["ratio_to_raw_httpx"], runs=data["runs"],
                      note=f"start-up included; raw httpx: AsyncClient.stream + aiter_raw to the file, no hash, "
                           f"no history ({raw['transfer_mb_per_s']['median']:.0f} MB/s transfer only)").judge()
    moved = ours["transfer_mb_per_s"]
    transfer = Figure("binary_throughput_transfer", "MB/s", moved["median"], moved["min"], moved["max"],
                      "curl", curl["transfer_mb_per_s"]["median"] if curl else None, data.get("transfer_ratio_to_curl"),
                      runs=data["runs"],
                      note=f"transfer only: {mb:.0f} MB / the call's recorded duration_ms (request start, "
                           f"connection and wait for the pending history entry included) vs curl's time_total; "
                           f"{data['transfer_ratio_to_raw_httpx']}x raw httpx's").judge()
    growth = data["rss_growth_mb"]
    rss = Figure("binary_peak_rss_growth", "MB", growth["median"], growth["min"], growth["max"], "curl (peak RSS)",
                 curl["peak_rss_mb"]["median"] if curl else None, runs=data["runs"],
                 note=f"peak RSS {ours['peak_rss_mb']['median']:.0f} MB - "
                      f"{data['variants']['ours_1_byte']['peak_rss_mb']['median']:.0f} MB of a 1-byte call").judge()
    return [throughput, by_httpx, transfer, rss]


def stream_lag(sizes: Sizes) -> list[Figure]:
    """The app (headless) shows the stream's end this long after the server's last chunk is due."""
    stream = loop_bench.QUICK if sizes.quick else loop_bench.FULL
    nominal_ms = stream["stream_chunks"] / stream["stream_rate"] * 1000
    runs = min(sizes.runs, 3)  # a full stream lasts 12 s
    argv = (["--quick"] if sizes.quick else []) + ["--only", "stream", "--runs", str(runs)]
    data = script_figures("loop_bench", argv)
    [result] = data["results"]
    lags = [run["done_ms"] - nominal_ms for run in result.get("runs", [result]) if run.get("done_ms") is not None]
    anchor = asyncio.run(raw_stream_lags(stream, runs))
    if not lags:
        return [not_measured("stream_lag", "ms", result.get("error") or "the stream was never shown whole")]
    return [Figure("stream_lag", "ms", *spread(lags).values(), "raw httpx", statistics.median(anchor),
                   runs=len(lags), note=f"{stream['stream_chunks']} chunks at {stream['stream_rate']:g}/s; "
                                        "the app polled every 50 ms").judge()]


async def raw_stream_lags(stream: dict[str, Any], runs: int) -> list[float]:
    """The same stream read by a bare httpx loop: when its last byte arrives, after it is due."""
    import httpx

    nominal = stream["stream_chunks"] / stream["stream_rate"]
    body = {"interface": heavy_server.INTERFACE, "service": heavy_server.SERVICE, "method": "stream", "args": {}}
    lags = []
    with heavy_server.spawned(big_bytes=1000, huge_bytes=1000, **{k: v for k, v in stream.items()
                                                                   if k.startswith("stream")}) as origin:
        async with httpx.AsyncClient(timeout=60) as client:
            for _ in range(runs):
                started = time.perf_counter()
                async with client.stream("POST", f"{origin}/drivers/call", json=body) as response:
                    async for _block in response.aiter_raw():
                        pass
                lags.append((time.perf_counter() - started - nominal) * 1000)
    return lags


def keypresses(sizes: Sizes) -> list[Figure]:
    argv = (["--quick"] if sizes.quick else []) + ["--python-module", "--only", "stream,big",
                                                   "--runs", str(min(sizes.runs, 3)), "--timeout", "60"]
    data = script_figures("keypress_bench", argv)
    figures = []
    for name, scenario in (("keypress_during_stream", "stream"), ("keypress_during_big_result", "big")):
        result = next((r for r in data["results"] if r["scenario"] == scenario), {})
        worst = [run["key_worst_ms"] for run in result.get("runs", [result]) if run.get("key_worst_ms") is not None]
        if not worst:
            figures.append(not_measured(name, "ms", result.get("error") or "no key was answered"))
            continue
        size = data["sizes"]["big_bytes"] / 1e6
        what = f"{data['sizes']['stream_chunks']} chunks at {data['sizes']['stream_rate']:g}/s" \
            if scenario == "stream" else f"{size:.1f} MB result"
        figures.append(Figure(name, "ms", *spread(worst).values(), runs=len(worst),
                              note=f"worst key per run, pty 120x40, {what}; median key "
                                   f"{result.get('key_median_ms')} ms").judge())
    return figures


def history_start(sizes: Sizes) -> list[Figure]:
    entries = 2_000 if sizes.quick else 100_000
    data = script_figures("app_open_bench", ["--entries", str(entries), "--runs", "1" if sizes.quick else "7"])
    full, empty = data["full_ms"], data["empty_ms"]
    return [Figure("history_start_100k", "ms", *spread(full).values(), "empty history", statistics.median(empty),
                   round(statistics.median(full) / statistics.median(empty), 3), runs=len(full),
                   note=f"{entries:,} entries, app open until the history pane shows (headless)").judge()]


def history_search(sizes: Sizes) -> list[Figure]:
    """Free-text search at N entries: per run the slowest of a rare word, a common word and two words."""
    from history_bench import COMMON_WORD, RARE_WORD, synthetic_rows

    from explorer.history import EntryFilter, HistoryStore

    entries = 10_000 if sizes.quick else 100_000
    runs = 3 if sizes.quick else 21
    searches = [EntryFilter(text=RARE_WORD), EntryFilter(text=COMMON_WORD), EntryFilter(text="alpha zulu")]
    with tempfile.TemporaryDirectory(prefix="bench-history-") as folder:
        with HistoryStore(Path(folder) / "history.sqlite3") as store:
            store._bulk_insert(synthetic_rows(entries))
            for search in searches:  # warm up
                store.list(limit=50, filter=search)
            slowest = []
            for _ in range(runs):
                took = []
                for search in searches:
                    started = time.perf_counter()
                    store.list(limit=50, filter=search)
                    took.append((time.perf_counter() - started) * 1000)
                slowest.append(max(took))
    return [Figure("history_search_100k", "ms", *spread(slowest).values(), runs=runs,
                   note=f"{entries:,} entries, first page of 50").judge()]


BENCHES: list[tuple[tuple[str, ...], Callable[[Sizes], list[Figure]], str]] = [
    (("first_paint",), first_paint, "ms"),
    (("call_overhead", "call_overhead_history", "calls_in_flight_100"), call_overhead, "µs/call"),
    (("binary_throughput", "binary_throughput_raw_httpx", "binary_throughput_transfer", "binary_peak_rss_growth"),
     binary, "MB/s"),
    (("stream_lag",), stream_lag, "ms"),
    (("keypress_during_stream", "keypress_during_big_result"), keypresses, "ms"),
    (("history_start_100k",), history_start, "ms"),
    (("history_search_100k",), history_search, "ms"),
]


def measure(quick: bool, only: set[str] | None = None) -> list[Figure]:
    sizes = Sizes(quick)
    figures: list[Figure] = []
    for names, bench, unit in BENCHES:
        if only and not only.intersection(names):
            continue
        started = time.monotonic()
        try:
            got = bench(sizes)
        except Exception as error:  # noqa: BLE001 - one failed bench must not cost the others
            why = f"{type(error).__name__}: {error}" if not isinstance(error, LookupError) else str(error)
            print(traceback.format_exc(), file=sys.stderr)
            got = [not_measured(name, unit, " ".join(why.split())[:300]) for name in names]
        print(f"{', '.join(names)}: {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
        figures.extend(f for f in got if shown(f.figure, only))
    return figures


def shown(figure: str, only: set[str] | None) -> bool:
    """Asked for: every figure without --only; with it, the named ones and the rows that detail them (NAME_...)."""
    return not only or any(figure == name or figure.startswith(name + "_") for name in only)


def number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}"


def table(figures: list[Figure]) -> str:
    header = ("figure", "explorer (median [min-max])", "unit", "anchor", "anchor median", "ratio", "goal", "met?")
    rows = []
    for f in figures:
        value = "not measured" if f.median is None else (
            f"{number(f.median)} [{number(f.min)}-{number(f.max)}]" if f.min is not None else number(f.median))
        met = "-" if f.met is None else ("yes" if f.met else "NO")
        rows.append((f.figure, value, f.unit, f.anchor, number(f.anchor_median),
                     "-" if f.ratio is None else f"{f.ratio:.2f}x", f.goal, met))
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in rows]
    notes = [f"{f.figure}: {f.note}" for f in figures if f.note]
    return "\n".join(lines + ([""] + notes if notes else []))


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each (about 2 minutes)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--only", help=f"comma-separated figure names (NAME also shows NAME_...): "
                                       f"{', '.join(FIGURES)}")
    options = parser.parse_args()
    only = set(options.only.split(",")) if options.only else None
    started = time.monotonic()
    load = os.getloadavg()[0]
    figures = measure(options.quick, only)
    elapsed = time.monotonic() - started
    print(f"performance figures ({'quick' if options.quick else 'full'} sizes, {elapsed:.0f} s, "
          f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs)")
    print(table(figures))
    if options.json:
        options.json.write_text(json.dumps({
            "quick": options.quick, "seconds": round(elapsed, 1), "cpus": os.cpu_count(),
            "load_average": [load, os.getloadavg()[0]], "figures": [asdict(f) for f in figures],
        }, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
