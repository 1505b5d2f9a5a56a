"""Per-call overhead: `Connection.call` and `Session.call` against a raw httpx loop, on the demo server.

Run:  python -m bench.call_overhead_bench [--calls N] [--block B] [--rounds R | --quick] [--json [PATH]]
                                          [--source DIR]

The demo server runs in its own process on loopback (so it does not share this interpreter's lock). Each
round makes N sequential `puter-kvstore.get` calls with each variant, in blocks of B calls, the variants'
blocks interleaved in a rotating order (so a burst of load elsewhere on the machine hits them all):

- raw:       an `httpx.AsyncClient` posting the same body and headers, reading the body and parsing the JSON;
- client:    `Connection.call` (body decoding, outcome interpretation);
- session:   `Session.call` without a history;
- history:   `Session.call` recording every call in a history file (begin + complete).

Figures are the median over rounds of the mean time per call, and the median of its ratio to raw's over
all blocks (each block against the raw block run next to it). Then 100 calls are
put in flight at once through the session with a history: all must end as results, each in its own
completed entry. --source DIR imports the explorer from DIR (e.g. a `git archive` of an older commit).
`run()` returns the figures as a dict; --json prints them (or writes them to PATH).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"client": 1.05, "session": 1.05, "history": 1.3}
IN_FLIGHT = 100


def start_server(source: Path, token: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    env.pop("PUTER_EXPLORER_HOME", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "explorer", "demo-server", "--port", "0", "--demo-token", token],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tempfile.gettempdir(),
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line.startswith("origin: "):
        server.kill()
        raise SystemExit(f"the demo server did not start: {line!r} {server.stderr.read() if server.stderr else ''}")
    return server, line.split(": ", 1)[1].strip()


async def measure(options: argparse.Namespace, origin: str, token: str, folder: Path) -> dict[str, Any]:
    import httpx

    from explorer.history import EntryFilter, HistoryStore
    from explorer.protocol.client import Connection
    from explorer.session import Session

    try:
        from explorer.protocol.request import CallRequest
    except ImportError:  # an older source tree
        from explorer.protocol.client import CallRequest  # type: ignore[no-redef]

    request = CallRequest("puter-kvstore", "get", {"key": "bench"})
    raw_client = httpx.AsyncClient(headers={"User-Agent": "puter-explorer"})
    client = Connection(origin, token, download_dir=folder / "responses")
    session = Session(Connection(origin, token, download_dir=folder / "responses"), profile="bench")
    store = HistoryStore(folder / "history.sqlite3")
    recorded = Session(Connection(origin, token, download_dir=folder / "responses"), history=store, profile="bench")
    headers = {**client.request_headers(redacted=False)}
    body = json.dumps(request.body()).encode()
    url = f"{origin}/drivers/call"

    async def raw_call() -> None:
        response = await raw_client.post(url, content=body, headers=headers)
        value = json.loads(response.content)
        assert response.status_code == 200 and value.get("success") is True, response.text

    async def client_call() -> None:
        outcome = await client.call(request)
        assert outcome.kind == "result", outcome

    async def session_call() -> None:
        _entry, outcome = await session.call(request)
        assert outcome.kind == "result", outcome

    async def history_call() -> None:
        entry_id, outcome = await recorded.call(request)
        assert outcome.kind == "result" and entry_id is not None, outcome

    variants: dict[str, Callable[[], Awaitable[None]]] = {
        "raw": raw_call, "client": client_call, "session": session_call, "history": history_call,
    }
    # The key exists, so every get answers a value.
    await client.call(CallRequest("puter-kvstore", "set", {"key": "bench", "value": {"n": 1, "text": "x" * 64}}))
    for call in variants.values():  # warm-up: connections opened, caches filled
        for _ in range(min(50, options.calls)):
            await call()

    per_call: dict[str, list[float]] = {name: [] for name in variants}
    ratios: dict[str, list[float]] = {name: [] for name in variants if name != "raw"}
    names = list(variants)
    blocks = max(1, options.calls // options.block)
    for round_ in range(options.rounds):
        spent = dict.fromkeys(names, 0.0)
        for block in range(blocks):
            shift = (round_ * blocks + block) % len(names)
            took: dict[str, float] = {}
            for name in names[shift:] + names[:shift]:
                call = variants[name]
                started = time.perf_counter()
                for _ in range(options.block):
                    await call()
                took[name] = time.perf_counter() - started
                spent[name] += took[name]
            # Blocks run next to each other share the machine's load at that moment: compare those.
            for name in ratios:
                ratios[name].append(took[name] / took["raw"])
        for name in names:
            per_call[name].append(spent[name] / (blocks * options.block) * 1e6)
        print(f"round {round_ + 1}/{options.rounds}: "
              + "  ".join(f"{n} {per_call[n][-1]:.0f} µs" for n in names), file=sys.stderr)

    flight = await in_flight(recorded, request, store, EntryFilter)

    await raw_client.aclose()
    await client.aclose()
    await session.aclose()
    await recorded.aclose()

    medians = {name: statistics.median(values) for name, values in per_call.items()}
    return {
        "calls_per_round": blocks * options.block,
        "block": options.block,
        "rounds": options.rounds,
        "per_call_us": {name: {"median": round(medians[name], 1), "min": round(min(per_call[name]), 1),
                               "max": round(max(per_call[name]), 1)} for name in names},
        "ratio_to_raw": {name: round(statistics.median(values), 3) for name, values in ratios.items()},
        "ratio_to_raw_quartiles": {name: [round(q, 3) for q in statistics.quantiles(values, n=4)]
                                   for name, values in ratios.items() if len(values) > 1},
        "goals": GOALS,
        "in_flight": flight,
    }


async def in_flight(session: Any, request: Any, store: Any, entry_filter: Any) -> dict[str, Any]:
    """IN_FLIGHT calls at once through the session with a history: every one a result in its own entry."""
    before = store.count()
    started = time.perf_counter()
    answers = await asyncio.gather(*(session.call(request) for _ in range(IN_FLIGHT)), return_exceptions=True)
    elapsed = time.perf_counter() - started
    errors = [repr(a) for a in answers if isinstance(a, BaseException)]
    done = [a for a in answers if not isinstance(a, BaseException)]
    not_results = [o.kind for _i, o in done if o.kind != "result"]
    ids = {i for i, _o in done if i is not None}
    pending = store.count(entry_filter(kind="pending"))
    ok = not errors and not not_results and len(ids) == IN_FLIGHT and store.count() - before == IN_FLIGHT and not pending
    return {"calls": IN_FLIGHT, "ok": ok, "elapsed_ms": round(elapsed * 1000, 1), "errors": errors[:3],
            "not_results": not_results[:3], "distinct_entries": len(ids), "pending": pending}


def run(quick: bool = False, calls: int = 1000, block: int = 100, rounds: int = 5, source: Path = ROOT) -> dict[str, Any]:
    """Measure; the figures as a dict (per variant: µs per call, ratio to raw; the in-flight check)."""
    options = argparse.Namespace(calls=calls, block=block, rounds=rounds)
    if quick:
        options.calls, options.rounds, options.block = 200, 3, 50
    options.block = max(1, min(options.block, options.calls))
    source = Path(source).resolve()
    if str(source) not in sys.path:
        sys.path.insert(0, str(source))

    token = secrets.token_hex(16)
    load_before = os.getloadavg()
    server, origin = start_server(source, token)
    try:
        with tempfile.TemporaryDirectory(prefix="call-overhead-") as folder:
            result = asyncio.run(measure(options, origin, token, Path(folder)))
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    result["source"] = str(source)
    # httpx and anyio ask sniffio which async library runs; without it each asks by a failed import.
    result["sniffio"] = _installed("sniffio")
    # Other work on the machine shows in the figures: say how busy it was.
    result["load_average"] = {"before": load_before[0], "after": os.getloadavg()[0]}
    result["goals_met"] = all(result["ratio_to_raw"][name] <= goal for name, goal in GOALS.items()) \
        and result["in_flight"]["ok"]
    return result


def _installed(name: str) -> bool:
    from importlib.util import find_spec

    return find_spec(name) is not None


def report(result: dict[str, Any]) -> str:
    lines = [f"per call, {result['rounds']} rounds of {result['calls_per_round']} sequential calls per variant, "
             f"interleaved in blocks of {result['block']} (median of rounds; load average "
             f"{result['load_average']['before']:.1f} -> {result['load_average']['after']:.1f}; "
             f"sniffio {'installed' if result['sniffio'] else 'not installed'})",
             f"{'variant':<9} {'median µs':>10} {'min':>8} {'max':>8} {'x raw':>7} {'quartiles':>13}  goal"]
    for name, figures in result["per_call_us"].items():
        ratio = result["ratio_to_raw"].get(name)
        quartiles = result["ratio_to_raw_quartiles"].get(name)
        spread = f"{quartiles[0]:.2f}-{quartiles[2]:.2f}" if quartiles else ""
        goal = GOALS.get(name)
        verdict = "" if goal is None else f"<= {goal}x {'met' if ratio <= goal else 'NOT met'}"
        lines.append(f"{name:<9} {figures['median']:>10.0f} {figures['min']:>8.0f} {figures['max']:>8.0f} "
                     f"{(f'{ratio:.3f}x' if ratio else ''):>7} {spread:>13}  {verdict}")
    flight = result["in_flight"]
    lines.append(f"\n{flight['calls']} in flight with a history: {'ok' if flight['ok'] else 'FAILED'} in "
                 f"{flight['elapsed_ms']:.0f} ms ({flight['distinct_entries']} entries, {flight['pending']} pending"
                 + (f", errors {flight['errors']}" if flight["errors"] else "") + ")")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1000, help="sequential calls per variant and round")
    parser.add_argument("--block", type=int, default=100, help="calls in a row before the next variant's turn")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 200 calls, in blocks of 50")
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH",
                        help="print the figures as JSON (the table goes to stderr), or write them to PATH")
    parser.add_argument("--source", type=Path, default=ROOT, help="import the explorer from here")
    options = parser.parse_args(argv)
    result = run(quick=options.quick, calls=options.calls, block=options.block, rounds=options.rounds,
                 source=options.source)
    table = report(result)
    if options.json == "-":
        print(table, file=sys.stderr)
        print(json.dumps(result, indent=2))
    else:
        print(table)
        if options.json:
            Path(options.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0 if result["in_flight"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
