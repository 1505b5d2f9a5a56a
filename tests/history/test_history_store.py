"""The history store on real SQLite files: recording, reading, searching, paging, pruning."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from explorer.history import OUTCOME_KINDS, EntryFilter, HistoryError, HistoryStore
from explorer.history import schema, search
from explorer.history.errors import HistoryBusy


@pytest.fixture
def store(tmp_path: Path):
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def begin(store: HistoryStore, **overrides) -> int:
    values = dict(
        origin="https://api.puter.com",
        profile="default",
        interface="puter-kvstore",
        service="puter-kvstore",
        method="get",
        args_json=json.dumps({"key": "greeting"}),
        test_mode=False,
        request_body='{"interface":"puter-kvstore","method":"get","args":{"key":"greeting"}}',
    )
    values.update(overrides)
    return store.begin(**values)


def test_begin_then_complete_round_trips_every_field(store):
    entry_id = begin(store, test_mode=True, replay_of=None)
    store.complete(
        entry_id,
        kind="driver_error",
        status=400,
        response_headers=[("content-type", "application/json"), ("x-request-id", "abc")],
        error_code="missing_required_argument",
        error_message="Missing required argument `key`.",
        duration_ms=12.5,
        size=87,
        result_text='{"success":false}',
        content_type="application/json",
        summary="400 missing_required_argument",
    )
    entry = store.get(entry_id)
    assert entry is not None
    assert entry.kind == "driver_error" and not entry.pending
    assert entry.origin == "https://api.puter.com" and entry.profile == "default"
    assert (entry.interface, entry.service, entry.method) == ("puter-kvstore", "puter-kvstore", "get")
    assert entry.args == {"key": "greeting"}
    assert entry.test_mode is True
    assert entry.request_body.startswith('{"interface":"puter-kvstore"')
    assert entry.status == 400
    assert entry.response_headers == [("content-type", "application/json"), ("x-request-id", "abc")]
    assert entry.error_code == "missing_required_argument"
    assert entry.error_message == "Missing required argument `key`."
    assert (entry.duration_ms, entry.size) == (12.5, 87)
    assert entry.result_inline == '{"success":false}' and entry.body_path is None
    assert entry.content_type == "application/json"
    assert entry.summary == "400 missing_required_argument"
    assert entry.created_at.tzinfo is not None
    assert abs(entry.created_at.timestamp() - time.time()) < 60
    assert entry.completed_at is not None and entry.completed_at >= entry.created_at
    assert store.read_body(entry) == b'{"success":false}'


def test_a_begun_call_is_pending_and_survives_reopening(tmp_path):
    path = tmp_path / "history.sqlite3"
    with HistoryStore(path) as first:
        entry_id = begin(first)
    with HistoryStore(path) as second:
        entry = second.get(entry_id)
    assert entry is not None and entry.kind == "pending" and entry.pending
    assert entry.status is None and entry.result_inline is None


def test_replay_of_is_recorded(store):
    original = begin(store)
    replay = begin(store, replay_of=original)
    assert store.get(replay).replay_of == original
    assert store.get(original).replay_of is None


def test_complete_refuses_unknown_kind_missing_entry_and_double_completion(store):
    entry_id = begin(store)
    with pytest.raises(ValueError):
        store.complete(entry_id, kind="ok")
    with pytest.raises(HistoryError, match="does not exist"):
        store.complete(entry_id + 100, kind="result")
    store.complete(entry_id, kind="failure", error_message="connection refused")
    with pytest.raises(HistoryError, match="already complete"):
        store.complete(entry_id, kind="result")
    assert store.get(entry_id).kind == "failure"


def test_outcome_kinds_match_the_protocol_vocabulary():
    from explorer.protocol.outcomes import OUTCOME_KINDS as PROTOCOL_KINDS

    assert tuple(OUTCOME_KINDS) == tuple(PROTOCOL_KINDS)


def test_large_result_text_goes_to_a_private_body_file(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3", inline_limit=1024) as store:
        small_id, big_id = begin(store), begin(store)
        store.complete(small_id, kind="result", result_text="x" * 1024)
        big = '{"text":"' + "é" * 2000 + '"}'
        store.complete(big_id, kind="result", result_text=big)
        small, entry = store.get(small_id), store.get(big_id)
        assert small.result_inline == "x" * 1024 and small.body_path is None
        assert entry.result_inline is None and entry.body_path is not None
        body = Path(entry.body_path)
        assert body.parent == tmp_path / "bodies"
        assert body.read_text("utf-8") == big
        assert entry.body_sha256 == hashlib.sha256(big.encode()).hexdigest()
        assert store.read_body(entry) == big.encode()
        assert store.read_body(entry, max_bytes=9) == b'{"text":"'
        assert (body.stat().st_mode & 0o777) == 0o600
        assert ((tmp_path / "bodies").stat().st_mode & 0o777) == 0o700


def test_binary_body_file_is_moved_in_with_its_sha256(store, tmp_path):
    saved = tmp_path / "download.png"
    payload = bytes(range(256)) * 4096  # 1 MiB, several hash chunks would be needed for a bigger one
    saved.write_bytes(payload)
    saved.chmod(0o644)
    entry_id = begin(store, interface="puter-image-generation", method="generate")
    store.complete(entry_id, kind="binary", status=200, size=len(payload), body_file=saved, content_type="image/png")
    entry = store.get(entry_id)
    assert not saved.exists()
    assert entry.body_path == str(tmp_path / "bodies" / f"{entry_id}.png")
    assert entry.body_sha256 == hashlib.sha256(payload).hexdigest()
    assert store.read_body(entry) == payload
    assert (Path(entry.body_path).stat().st_mode & 0o777) == 0o600


def test_completing_twice_keeps_the_first_body(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3", inline_limit=4) as store:
        entry_id = begin(store)
        store.complete(entry_id, kind="result", result_text="first body")
        second = tmp_path / "second.bin"
        second.write_bytes(b"second body")
        with pytest.raises(HistoryError, match="already complete"):
            store.complete(entry_id, kind="binary", body_file=second)
        assert second.read_bytes() == b"second body"  # not taken over
        assert store.read_body(store.get(entry_id)) == b"first body"


def test_entry_without_a_body_reads_none(store):
    entry_id = begin(store)
    store.complete(entry_id, kind="failure", error_message="timeout")
    assert store.read_body(store.get(entry_id)) is None


@pytest.fixture
def varied(store):
    """Five completed calls that differ in each filterable field."""
    calls = [
        ("puter-kvstore", "puter-kvstore", "get", "result", None, {"key": "alpha"}, '"apple pie"'),
        ("puter-kvstore", "puter-kvstore", "set", "result", None, {"key": "beta", "value": "banana"}, "true"),
        ("puter-chat-completion", "openai-completion", "complete", "driver_error", "rate_limit_exceeded",
         {"messages": [{"content": "hello zebra"}]}, '{"error":"slow down"}'),
        ("puter-tts", "aws-polly", "synthesize", "binary", None, {"text": "hi"}, None),
        ("puter-chat-completion", "claude", "complete", "result", None, {"messages": []}, '"a quokka answer"'),
    ]
    ids = []
    for interface, service, method, kind, code, args, result in calls:
        entry_id = begin(store, interface=interface, service=service, method=method, args_json=json.dumps(args))
        store.complete(entry_id, kind=kind, error_code=code, result_text=result)
        ids.append(entry_id)
    return ids


@pytest.mark.parametrize(
    "criteria, expected",
    [
        (dict(interface="puter-kvstore"), [1, 0]),
        (dict(method="complete"), [4, 2]),
        (dict(service="aws-polly"), [3]),
        (dict(kind="result"), [4, 1, 0]),
        (dict(error_code="rate_limit_exceeded"), [2]),
        (dict(interface="puter-chat-completion", kind="result"), [4]),
        (dict(text="zebra"), [2]),  # a word in the args
        (dict(text="quokka"), [4]),  # a word in the result text
        (dict(text="bana"), [1]),  # a word prefix
        (dict(text="kvstore alpha"), [0]),  # all words must occur
        (dict(text='"apple OR zebra'), []),  # query syntax is taken literally
        (dict(text="nothing-like-this"), []),
    ],
)
def test_filters_select_exactly_the_matching_entries(store, varied, criteria, expected):
    found = store.list(filter=EntryFilter(**criteria))
    assert [e.id for e in found] == [varied[i] for i in expected]
    assert store.count(EntryFilter(**criteria)) == len(expected)


def test_text_search_falls_back_to_like_without_fts5(tmp_path, monkeypatch):
    monkeypatch.setattr(schema, "fts5_available", lambda conn: False)
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        assert not store._has_fts
        hit = begin(store, args_json='{"prompt":"100% quokka_ish"}')
        begin(store, args_json='{"prompt":"100 percent"}')
        assert [e.id for e in store.list(filter=EntryFilter(text="quokka"))] == [hit]
        assert [e.id for e in store.list(filter=EntryFilter(text="0% quokka_"))] == [hit]


def test_text_search_of_punctuation_only_uses_substring_match(store):
    hit = begin(store, args_json='{"a":"{}"}')
    begin(store, args_json='{"a":1}')
    assert [e.id for e in store.list(filter=EntryFilter(text='"{}"'))] == [hit]


def test_time_range_filter(store):
    ids = [begin(store) for _ in range(3)]
    base = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    with store._write() as conn:  # give the entries known times, a day apart
        for offset, entry_id in enumerate(ids):
            conn.execute("UPDATE entries SET created_epoch=? WHERE id=?",
                         ((base + timedelta(days=offset)).timestamp(), entry_id))
    middle = EntryFilter(since=base + timedelta(hours=1), until=base + timedelta(days=1, hours=1))
    assert [e.id for e in store.list(filter=middle)] == [ids[1]]
    assert [e.id for e in store.list(filter=EntryFilter(since=(base + timedelta(days=1)).timestamp()))] == [ids[2], ids[1]]
    naive_until = datetime(2024, 5, 2, 12, 0)  # naive means UTC; until is exclusive
    assert [e.id for e in store.list(filter=EntryFilter(until=naive_until))] == [ids[0]]


def test_after_id_lists_only_what_was_recorded_since_with_the_other_conditions(store):
    ids = [begin(store, method=method) for method in ("get", "set", "get", "get")]
    assert [e.id for e in store.list(filter=EntryFilter(after_id=ids[1]))] == [ids[3], ids[2]]
    assert [e.id for e in store.list(filter=EntryFilter(after_id=ids[1], method="set"))] == []
    assert store.list(filter=EntryFilter(after_id=ids[3])) == []


def pages_of(store: HistoryStore, filter: EntryFilter | None = None) -> list[list[int]]:
    """The ids of every page of 10, newest first, paging with before_id until an empty page."""
    pages, before = [], None
    for _ in range(10):  # a paging bug must fail the test, not loop forever
        page = store.list(limit=10, before_id=before, filter=filter)
        if not page:
            return pages
        pages.append([e.id for e in page])
        before = page[-1].id
    pytest.fail("paging never reached an empty page")


def test_paging_newest_first_with_before_id(store):
    ids = [begin(store, args_json=json.dumps({"n": n, "word": "page"})) for n in range(23)]
    pages = pages_of(store)
    assert [len(p) for p in pages] == [10, 10, 3]
    assert sum(pages, []) == ids[::-1]
    # the same through the free-text path
    text_page = store.list(limit=5, before_id=ids[10], filter=EntryFilter(text="page"))
    assert [e.id for e in text_page] == ids[9:4:-1]


def test_prune_by_count_removes_rows_and_body_files(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3", inline_limit=4) as store:
        ids = [begin(store) for _ in range(6)]
        for entry_id in ids:
            store.complete(entry_id, kind="result", result_text="big body")
        bodies = [Path(store.get(i).body_path) for i in ids]
        assert all(b.exists() for b in bodies)
        assert store.prune(keep=2) == 4
        assert [e.id for e in store.list()] == ids[-1:-3:-1]
        assert [b.exists() for b in bodies] == [False] * 4 + [True] * 2
        assert store.prune(keep=10) == 0
        assert store.count(EntryFilter(text="greeting")) == 2  # the FTS index followed the deletes


def test_prune_by_age(store):
    old, new = begin(store), begin(store)
    with store._write() as conn:
        conn.execute("UPDATE entries SET created_epoch=? WHERE id=?", (time.time() - 40 * 86400, old))
    assert store.prune(older_than_days=30) == 1
    assert store.get(old) is None and store.get(new) is not None
    assert store.prune() == 0


def test_ids_are_not_reused_after_prune(store):
    first = begin(store)
    store.prune(keep=0)
    assert begin(store) > first


def test_threads_share_one_store(store):
    def work():
        for _ in range(25):
            entry_id = begin(store)
            store.complete(entry_id, kind="result", result_text="ok")
            store.list(limit=5)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count() == 100
    assert store.count(EntryFilter(kind="result")) == 100


def test_closed_store_raises_history_error(tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.close()
    with pytest.raises(HistoryError, match="closed"):
        store.list()


def test_text_search_and_paging_use_indexes_not_full_scans(store):
    """The speed of search and paging at 100,000 entries rests on these plans (see bench/history_bench.py)."""

    def plan(**query) -> str:
        sql, params = search.list_query(query["filter"], limit=50, before_id=query["before_id"], has_fts=True)
        with store._read() as conn:
            return " | ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))

    def part_plans(**query) -> list[str]:
        """The plan of each part of a free-text search (completed entries, pending ones), in order."""
        sql, params = search.list_query(query["filter"], limit=50, before_id=query["before_id"], has_fts=True)
        with store._read() as conn:
            rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        parts = [row[0] for row in rows if row[3].startswith("CO-ROUTINE")]
        return [" | ".join(row[3] for row in rows if row[1] == part) for part in parts]

    completed, pending = part_plans(before_id=1000, filter=EntryFilter(text="word"))
    assert "SCAN entries_fts VIRTUAL TABLE INDEX" in completed
    assert "SEARCH e USING INTEGER PRIMARY KEY" in completed
    assert "TEMP B-TREE" not in completed  # rows come out of the FTS index already newest first
    # Pending entries are not indexed: found through the kind index, newest first, whatever else is filtered.
    assert pending == "SEARCH e USING INDEX entries_kind_id (kind=? AND id<?)"
    _, pending = part_plans(before_id=1000, filter=EntryFilter(text="word", error_code="x", since=0.0))
    assert pending == "SEARCH e USING INDEX entries_kind_id (kind=? AND id<?)"
    assert "SCAN e" not in plan(before_id=None, filter=EntryFilter(text="word")).split(" | ")  # never every row

    filtered_plan = plan(before_id=1000, filter=EntryFilter(interface="puter-kvstore"))
    assert "USING INDEX entries_interface_id" in filtered_plan and "TEMP B-TREE" not in filtered_plan

    first_page_plan = plan(before_id=None, filter=None)
    assert "TEMP B-TREE" not in first_page_plan


def test_a_write_that_may_not_wait_says_busy_while_another_program_writes(store):
    other = sqlite3.connect(store.path, isolation_level=None)  # another process's view of the file
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(HistoryBusy):
            store.begin(origin="o", profile="p", interface="i", service="", method="m", args_json="{}",
                        test_mode=False, request_body="{}", wait=False)
        other.execute("COMMIT")
    finally:
        other.close()
    entry_id = store.begin(origin="o", profile="p", interface="i", service="", method="m", args_json="{}",
                           test_mode=False, request_body="{}", wait=False)
    store.complete(entry_id, kind="result", result_text='"done"', wait=False)
    assert [(e.id, e.kind) for e in store.list()] == [(entry_id, "result")]
