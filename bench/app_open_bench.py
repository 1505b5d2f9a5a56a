"""Opening the app and its history pane with 100,000 past calls, against an empty history.

Run:  python bench/app_open_bench.py [--entries N] [--runs R]

Each run opens the history store, starts the real app headless (Textual's Pilot) against the demo server,
and waits until the history pane shows its first page. The target: with 100,000 entries this costs no more
than 1.2x what it costs with an empty history (the pane pages; it never loads every row).
"""

from __future__ import annotations

import argparse
import json
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from history_bench import synthetic_rows  # noqa: E402

from explorer.demo import DemoServer  # noqa: E402
from explorer.history import HistoryStore  # noqa: E402
from explorer.protocol.client import Connection  # noqa: E402
from explorer.session import Session  # noqa: E402
from explorer.tui.app import ExplorerApp  # noqa: E402


async def open_once(db: Path, server: DemoServer, expect_rows: bool, downloads: Path) -> float:
    started = time.perf_counter()
    store = HistoryStore(db)
    session = Session(Connection(server.origin, server.token, download_dir=downloads), history=store)
    app = ExplorerApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.screen.history
        while True:
            await pilot.pause()
            shown = pane.option_list.option_count
            # Both histories until their first page is in (an empty one shows its empty list).
            first_page_in = pane.source is not None and not pane.loading
            if app.catalog is not None and first_page_in and (shown > 0 or not expect_rows):
                break
        elapsed = (time.perf_counter() - started) * 1000
    await session.connection.aclose()
    store.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, DemoServer() as server:
        root = Path(folder)
        empty, full = root / "empty.sqlite3", root / "full.sqlite3"
        HistoryStore(empty).close()
        built = time.perf_counter()
        store = HistoryStore(full)
        store._bulk_insert(synthetic_rows(options.entries))
        store.close()
        print(f"built {options.entries} entries in {time.perf_counter() - built:.1f} s")

        async def measure() -> tuple[list[float], list[float]]:
            await open_once(empty, server, False, root / "dl")  # warm up both
            await open_once(full, server, True, root / "dl")
            empty_ms, full_ms = [], []
            for _ in range(options.runs):  # interleaved, so that drift in the machine hits both alike
                empty_ms.append(await open_once(empty, server, False, root / "dl"))
                full_ms.append(await open_once(full, server, True, root / "dl"))
            return empty_ms, full_ms

        empty_ms, full_ms = asyncio.run(measure())
    e, f = statistics.median(empty_ms), statistics.median(full_ms)
    print(f"{'history':<22}{'median ms':>10}{'min ms':>10}")
    print(f"{'empty':<22}{e:>10.1f}{min(empty_ms):>10.1f}")
    print(f"{f'{options.entries:,} entries':<22}{f:>10.1f}{min(full_ms):>10.1f}")
    print(f"ratio: {f / e:.2f}x (target <= 1.2x)")
    if options.json:
        figures = {"entries": options.entries, "empty_ms": empty_ms, "full_ms": full_ms, "ratio": f / e}
        options.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
