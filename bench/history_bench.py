"""How the history store behaves at 100,000 entries.

Run:  python bench/history_bench.py [--entries N] [--runs R]

Builds a throw-away database in a temporary folder, then prints the median time of: opening the store
and reading the first page (against an empty store), free-text search for a rare and a common word,
and filtered lists. The target is < 50 ms for a free-text search at 100,000 entries.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from explorer.history import EntryFilter, HistoryStore

INTERFACES = [
    ("puter-kvstore", "puter-kvstore", ["get", "set", "list", "del"]),
    ("puter-chat-completion", "openai-completion", ["complete", "list"]),
    ("puter-chat-completion", "claude", ["complete"]),
    ("puter-tts", "aws-polly", ["synthesize", "list_voices"]),
    ("puter-ocr", "aws-textract", ["recognize"]),
    ("puter-image-generation", "openai-image-generation", ["generate"]),
]
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
         "quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()
RARE_WORD = "quokkaburger"  # in RARE_COUNT entries
RARE_COUNT = 5
COMMON_WORD = "common"  # in every entry's args


def synthetic_rows(count: int, seed: int = 7) -> Iterator[dict]:
    rng = random.Random(seed)
    rare_at = set(rng.sample(range(count), RARE_COUNT))
    start = time.time() - count * 60  # one call a minute, ending now
    for n in range(count):
        interface, service, methods = rng.choice(INTERFACES)
        method = rng.choice(methods)
        words = " ".join(rng.choices(WORDS, k=6))
        if n in rare_at:
            words += " " + RARE_WORD
        args = {"key": f"item-{n}", "prompt": f"{COMMON_WORD} {words}"}
        failed = rng.random() < 0.1
        yield {
            "created_epoch": start + n * 60,
            "origin": "https://api.puter.com",
            "profile": "default",
            "interface": interface,
            "service": service,
            "method": method,
            "args_json": json.dumps(args),
            "request_body": json.dumps({"interface": interface, "service": service, "method": method, "args": args}),
            "status": 400 if failed else 200,
            "response_headers": '[["content-type","application/json"]]',
            "kind": "driver_error" if failed else "result",
            "error_code": "rate_limit_exceeded" if failed else None,
            "error_message": "Too many requests" if failed else None,
            "duration_ms": rng.uniform(20, 900),
            "size": 180,
            "result_inline": json.dumps({"success": not failed, "result": " ".join(rng.choices(WORDS, k=12))}),
            "content_type": "application/json",
            "summary": f"{interface}.{method}",
        }


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm up once
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def open_and_first_page(path: Path) -> Callable[[], object]:
    def action() -> object:
        with HistoryStore(path) as store:
            return store.list(limit=50)

    return action


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        empty_path = Path(folder, "empty", "history.sqlite3")
        full_path = Path(folder, "full", "history.sqlite3")
        HistoryStore(empty_path).close()

        started = time.perf_counter()
        with HistoryStore(full_path) as store:
            store._bulk_insert(synthetic_rows(options.entries))
        build_s = time.perf_counter() - started
        size_mb = full_path.stat().st_size / 1e6

        results: list[tuple[str, float, str]] = []
        empty_open = median_ms(open_and_first_page(empty_path), options.runs)
        full_open = median_ms(open_and_first_page(full_path), options.runs)
        results.append(("open + first page of 50, empty store", empty_open, ""))
        results.append((f"open + first page of 50, {options.entries:,} entries", full_open,
                        f"x{full_open / empty_open:.2f} of empty"))

        with HistoryStore(full_path) as store:
            middle = store.list(limit=1)[0].id // 2

            def timed(label: str, flt: EntryFilter | None = None, **kwargs) -> None:
                found = store.list(limit=50, filter=flt, **kwargs)
                ms = median_ms(lambda: store.list(limit=50, filter=flt, **kwargs), options.runs)
                results.append((label, ms, f"{len(found)} rows"))

            timed("first page, store already open")
            timed(f"page at before_id={middle:,}", before_id=middle)
            timed(f"text '{RARE_WORD}' (in {RARE_COUNT} entries)", EntryFilter(text=RARE_WORD))
            timed(f"text '{COMMON_WORD}' (in every entry)", EntryFilter(text=COMMON_WORD))
            timed("text 'alpha zulu' (two words)", EntryFilter(text="alpha zulu"))
            timed("text prefix 'quokka'", EntryFilter(text="quokka"))
            timed(f"text '{COMMON_WORD}', page at before_id={middle:,}", EntryFilter(text=COMMON_WORD), before_id=middle)
            timed("filter interface=puter-ocr", EntryFilter(interface="puter-ocr"))
            timed("filter kind=driver_error + method=complete", EntryFilter(kind="driver_error", method="complete"))
            timed("filter error_code=rate_limit_exceeded", EntryFilter(error_code="rate_limit_exceeded"))
            week_ago = time.time() - options.entries * 60 / 2
            timed("filter since (newest half)", EntryFilter(since=week_ago))
            timed("filter interface + text 'alpha'", EntryFilter(interface="puter-tts", text="alpha"))
            count_ms = median_ms(lambda: store.count(EntryFilter(text=RARE_WORD)), options.runs)
            results.append((f"count text '{RARE_WORD}'", count_ms, f"{store.count(EntryFilter(text=RARE_WORD))}"))
            count_ms = median_ms(lambda: store.count(EntryFilter(kind="driver_error")), options.runs)
            results.append(("count kind=driver_error", count_ms, f"{store.count(EntryFilter(kind='driver_error'))}"))

        print(f"history bench: {options.entries:,} entries built in {build_s:.1f} s, database {size_mb:.1f} MB, "
              f"median of {options.runs} runs")
        width = max(len(label) for label, _, _ in results)
        print(f"{'measure':<{width}}  {'ms':>8}  note")
        print(f"{'-' * width}  {'-' * 8}  {'-' * 20}")
        for label, ms, note in results:
            print(f"{label:<{width}}  {ms:>8.2f}  {note}")
        if options.json:
            figures = [{"measure": label, "ms": round(ms, 3), "note": note} for label, ms, note in results]
            options.json.write_text(json.dumps({"entries": options.entries, "results": figures}, indent=2))


if __name__ == "__main__":
    main()
