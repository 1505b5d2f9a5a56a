"""A 400 MB binary answer end to end: `puter-explorer call ... -o PATH` (history on) against `curl -o PATH`.

Run:  python bench/binary_bench.py [--quick] [--runs N] [--bytes B] [--json PATH]

bench/heavy_server.py runs in its own process and serves `bench.binary`: B bytes (default 400 MB) of
application/octet-stream. Each round runs, in turn (the order alternating from round to round): curl, the
explorer's command with a throwaway home (so the call is recorded in a fresh history), the same command
for a 1-byte answer (its start-up and peak memory without the body), and a minimal raw httpx client
(`AsyncClient.stream`, `aiter_raw`, each block written to the file: no hash, no history, the same
httpcore read size as the explorer), which shows what httpx itself reaches here. Each is a fresh process, timed from its spawn to its exit, its peak RSS from the
kernel (wait4, through a small launcher). Start-up counts: it is part of what a person waits.

Python processes run with their bytecode cached, as an installed package has it: PYTHONDONTWRITEBYTECODE
is dropped and PYTHONPYCACHEPREFIX points into the bench's temporary folder, filled by one unmeasured
warm-up run of each Python variant (a module edited since its last compile would else be compiled at
every start).

Figures: throughput (B / wall time) median, min and max per variant, the ratio of the explorer's median to
curl's (goal >= 0.8x) and to raw httpx's, and the explorer's peak RSS growth over the 1-byte call (goal
<= 64 MB). Transfer only, without start-up: B / the time from the request's start (connection included)
to the body's end, as each reports it: curl's `%{time_total}`, the raw client's own clock, and the
explorer's `duration_ms` as its history recorded it (from the request's start to the body on disk and
hashed; it also holds the wait for the pending history entry to be on disk before the request leaves,
so it is the stricter of the three). The first round also checks that the body was written once: the
file's sha256 is the server's, and the history's bodies folder is empty.
`--quick` is one round of 40 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import heavy_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FULL_BYTES, QUICK_BYTES = 400_000_000, 40_000_000
GOAL_RATIO, GOAL_RSS_MB = 0.8, 64.0
TOKEN = "bench-token-0123"


# The anchor for what httpx itself reaches: as plain as a download with it gets. Prints its transfer seconds.
RAW_HTTPX = """
import asyncio, sys, time
import httpx

async def main(url, body, token, target):
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + token}
    async with httpx.AsyncClient(timeout=600) as client:
        started = time.perf_counter()
        async with client.stream("POST", url, content=body, headers=headers) as response:
            response.raise_for_status()
            with open(target, "wb") as out:
                async for block in response.aiter_raw():
                    out.write(block)
        print(time.perf_counter() - started)

asyncio.run(main(*sys.argv[1:]))
"""


# A process's peak RSS counts what it had before its exec, i.e. the copy of whoever forked it: this bench's
# interpreter. So each command is started by a small launcher, and the launcher reports its child's figures.
LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds from the spawn to the exit, peak RSS in MB, and what the command printed."""
    argv = [shutil.which(argv[0]) or argv[0], *argv[1:]]
    done = subprocess.run([sys.executable, "-S", "-I", "-c", LAUNCHER, *argv], env=env, capture_output=True,
                          text=True, timeout=600)
    printed, _, last = done.stdout.rstrip("\n").rpartition("\n")
    try:
        wall, rss_kb, code = last.split()
    except ValueError:
        raise RuntimeError(f"the launcher failed: {done.stderr[-500:]}") from None
    if int(code) != 0:
        raise RuntimeError(f"{Path(argv[0]).name} exited {code}: {done.stderr[-500:]}")
    return float(wall), int(rss_kb) / 1024, printed


def call_body(size: int) -> str:
    return json.dumps({"interface": heavy_server.INTERFACE, "service": heavy_server.SERVICE, "method": "binary",
                       "args": {"bytes": size}})


def measure(origin: str, size: int, runs: int, folder: Path) -> dict[str, Any]:
    curl = shutil.which("curl")
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith("PUTER_") and k != "PYTHONDONTWRITEBYTECODE"}
    base_env["PYTHONPATH"] = str(ROOT)
    base_env["PYTHONPYCACHEPREFIX"] = str(folder / "bytecode")
    explorer = [sys.executable, "-m", "explorer", "--origin", origin, "--token", TOKEN, "call",
                heavy_server.INTERFACE, "binary", "--service", heavy_server.SERVICE]
    target = folder / "body.bin"

    def ours(nbytes: int, home: Path) -> tuple[float, float, float | None]:
        env = {**base_env, "PUTER_EXPLORER_HOME": str(home)}
        wall, peak, _ = timed(explorer + ["--args", json.dumps({"bytes": nbytes}), "-o", str(target)], env)
        return wall, peak, recorded_seconds(home)

    def raw_httpx(nbytes: int) -> tuple[float, float, float | None]:
        wall, peak, printed = timed([sys.executable, "-c", RAW_HTTPX, f"{origin}/drivers/call", call_body(nbytes),
                                     TOKEN, str(target)], base_env)
        return wall, peak, float(printed.split()[-1])

    def anchor() -> tuple[float, float, float | None]:
        assert curl is not None
        wall, peak, printed = timed([curl, "-s", "-f", "-o", str(target), "-w", "%{time_total}\n",
                                     "-H", "Content-Type: application/json", "-H", f"Authorization: Bearer {TOKEN}",
                                     "--data-binary", call_body(size), f"{origin}/drivers/call"], base_env)
        return wall, peak, float(printed.split()[-1])

    ours(1, folder / "home-warm-up")  # fills the bytecode cache; not measured
    raw_httpx(1)
    variants: dict[str, Any] = {"ours": lambda n: ours(size, folder / f"home-{n}"),
                                "ours_1_byte": lambda n: ours(1, folder / f"home-small-{n}"),
                                "raw_httpx": lambda n: raw_httpx(size)}
    if curl is not None:
        variants["curl"] = lambda n: anchor()
    walls: dict[str, list[float]] = {name: [] for name in variants}
    rss: dict[str, list[float]] = {name: [] for name in variants}
    transfers: dict[str, list[float]] = {name: [] for name in variants}
    checks: dict[str, Any] = {}
    names = list(variants)
    for round_ in range(runs):
        for name in names if round_ % 2 == 0 else names[::-1]:
            wall, peak, transfer = variants[name](round_)
            walls[name].append(wall)
            rss[name].append(peak)
            if transfer:
                transfers[name].append(transfer)
            if name == "ours" and round_ == 0:
                checks = written_once(target, size, folder / "home-0")
            target.unlink(missing_ok=True)
    out: dict[str, Any] = {"bytes": size, "runs": runs, "checks": checks, "variants": {}}
    for name in names:
        big = name != "ours_1_byte"
        out["variants"][name] = {
            "wall_s": summary(walls[name]), "peak_rss_mb": summary(rss[name]),
            **({"mb_per_s": summary([size / 1e6 / w for w in walls[name]])} if big else {}),
            **({"transfer_s": summary(transfers[name]),
                "transfer_mb_per_s": summary([size / 1e6 / t for t in transfers[name]])}
               if big and transfers[name] else {}),
        }
    ours_v, small = out["variants"]["ours"], out["variants"]["ours_1_byte"]
    out["rss_growth_mb"] = summary([big - little for big, little in zip(rss["ours"], rss["ours_1_byte"])])
    out["goal_rss_growth_mb"] = GOAL_RSS_MB
    out["startup_s"] = small["wall_s"]
    out["ratio_to_raw_httpx"] = ratio(out["variants"]["raw_httpx"], ours_v, "wall_s")
    out["transfer_ratio_to_raw_httpx"] = ratio(out["variants"]["raw_httpx"], ours_v, "transfer_s")
    if "curl" in out["variants"]:
        out["ratio_to_curl"] = ratio(out["variants"]["curl"], ours_v, "wall_s")
        out["transfer_ratio_to_curl"] = ratio(out["variants"]["curl"], ours_v, "transfer_s")
        # Without the fixed cost of starting the command (the 1-byte call): the body's own pace.
        body_s = ours_v["wall_s"]["median"] - small["wall_s"]["median"]
        out["ratio_to_curl_without_startup"] = round(out["variants"]["curl"]["wall_s"]["median"] / body_s, 3) \
            if body_s > 0 else None
    out["goal_ratio"] = GOAL_RATIO
    return out


def ratio(anchor: dict[str, Any], ours: dict[str, Any], key: str) -> float | None:
    """The anchor's median time over ours: above 1 when ours is faster."""
    if key not in anchor or key not in ours:
        return None
    return round(anchor[key]["median"] / ours[key]["median"], 3)


def recorded_seconds(home: Path) -> float | None:
    """The call's duration as the explorer's history recorded it (its newest entry)."""
    from explorer.history import HistoryStore

    path = home / "data" / "history.sqlite3"
    if not path.exists():
        return None
    with HistoryStore(path) as store:
        entries = store.list(limit=1)
    return entries[0].duration_ms / 1000 if entries and entries[0].duration_ms else None


def written_once(target: Path, size: int, home: Path) -> dict[str, Any]:
    """The body is at the -o path with the server's sha256, and the history kept no copy of it."""
    import hashlib

    digest = hashlib.sha256()
    with target.open("rb") as body:
        for block in iter(lambda: body.read(1 << 20), b""):
            digest.update(block)
    bodies = home / "data" / "bodies"
    copies = [p.name for p in bodies.iterdir()] if bodies.is_dir() else []
    return {"sha256_ok": digest.hexdigest() == heavy_server.binary_sha256(size),
            "size_ok": target.stat().st_size == size, "copies_in_history": copies}


def summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3), "n": len(values)}


def run(quick: bool, runs: int | None = None, size: int | None = None) -> dict[str, Any]:
    size = size or (QUICK_BYTES if quick else FULL_BYTES)
    runs = runs or (1 if quick else 5)
    with heavy_server.spawned(big_bytes=1000, huge_bytes=1000) as origin, \
            tempfile.TemporaryDirectory(prefix="binary-bench-") as folder:
        return measure(origin, size, runs, Path(folder))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round of 40 MB")
    parser.add_argument("--runs", type=int, help="rounds (default 5)")
    parser.add_argument("--bytes", type=int, help="body size (default 400 MB)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()
    result = run(options.quick, options.runs, options.bytes)
    print(f"binary answer of {result['bytes'] / 1e6:.0f} MB, {result['runs']} interleaved rounds "
          f"(wall time from spawn to exit, start-up included)")
    print(f"{'variant':<12} {'median s':>9} {'min':>7} {'max':>7} {'MB/s':>7} {'peak RSS MB':>12} "
          f"{'transfer s':>11} {'transfer MB/s':>14}")
    for name, figures in result["variants"].items():
        wall = figures["wall_s"]
        rate = figures.get("mb_per_s", {}).get("median")
        transfer = figures.get("transfer_s", {}).get("median")
        transfer_rate = figures.get("transfer_mb_per_s", {}).get("median")
        print(f"{name:<12} {wall['median']:>9.3f} {wall['min']:>7.3f} {wall['max']:>7.3f} "
              f"{(f'{rate:.0f}' if rate else '-'):>7} {figures['peak_rss_mb']['median']:>12.1f} "
              f"{(f'{transfer:.3f}' if transfer else '-'):>11} "
              f"{(f'{transfer_rate:.0f}' if transfer_rate else '-'):>14}")
    if "ratio_to_curl" in result:
        print(f"throughput vs curl: {result['ratio_to_curl']:.2f}x (goal >= {GOAL_RATIO}x); without the "
              f"command's start-up: {result['ratio_to_curl_without_startup']}x; transfer only: "
              f"{result['transfer_ratio_to_curl']}x")
    print(f"throughput vs raw httpx: {result['ratio_to_raw_httpx']}x; transfer only: "
          f"{result['transfer_ratio_to_raw_httpx']}x")
    print(f"peak RSS growth over a 1-byte call: {result['rss_growth_mb']['median']:.1f} MB "
          f"(goal <= {GOAL_RSS_MB:g} MB)")
    print(f"written once: {result['checks']}")
    if options.json:
        options.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
