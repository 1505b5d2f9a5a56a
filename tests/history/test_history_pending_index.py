"""Pending calls are not in the full-text index (schema step 2), yet free-text search finds them.

A row is in `entries_fts` exactly when it is no longer pending. The plain FTS5 'integrity-check' only
checks the index against itself for an external-content table; `assert_index_exact` also checks it
against the completed rows, by removing the pending ones in a transaction that is rolled back.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from explorer.history import EntryFilter, HistoryStore
from explorer.history import schema

from .test_history_store import pages_of

pytestmark = pytest.mark.skipif(not schema.fts5_available(sqlite3.connect(":memory:")), reason="needs FTS5")


def begin(store: HistoryStore, words: str) -> int:
    return store.begin(origin="https://api.puter.com", profile="default", interface="puter-kvstore",
                       service="puter-kvstore", method="get", args_json=json.dumps({"prompt": words}),
                       test_mode=False, request_body="{}")


def found(store: HistoryStore, text: str, **criteria) -> list[int]:
    flt = EntryFilter(text=text, **criteria)
    ids = [e.id for e in store.list(filter=flt)]
    assert store.count(flt) == len(ids)
    return ids


def indexed(path: Path, word: str) -> list[int]:
    """The rows the FTS index itself holds for `word` (a MATCH reads the index, not the table)."""
    with sqlite3.connect(path) as conn:
        return [r for (r,) in conn.execute("SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? ORDER BY rowid",
                                           (word,))]


def assert_index_exact(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("INSERT INTO entries_fts(entries_fts) VALUES('integrity-check')")
        conn.execute("BEGIN")
        try:
            conn.execute("DELETE FROM entries WHERE kind = 'pending'")  # not indexed: the trigger leaves the index alone
            # rank 1: the index must hold exactly the remaining rows, with their current values.
            conn.execute("INSERT INTO entries_fts(entries_fts, rank) VALUES('integrity-check', 1)")
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()


def test_a_pending_entry_is_found_by_text_and_again_once_complete(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        done = begin(store, "zebra one")
        store.complete(done, kind="result", result_text='"apple pie"')
        pending = begin(store, "zebra two")
        assert indexed(store.path, "zebra") == [done]  # the pending call costs the index nothing

        assert found(store, "zebra") == [pending, done]
        assert found(store, "zeb two") == [pending]  # every word, as for completed entries
        assert found(store, "zebra", kind="pending") == [pending]
        assert found(store, "zebra", kind="result") == [done]
        assert found(store, "quokka") == []

        store.complete(pending, kind="result", result_text='"a quokka answer"')
        assert indexed(store.path, "quokka") == [pending]  # now through the index, with its result text
        assert found(store, "quokka") == [pending]
        assert found(store, "zebra") == [pending, done]
        assert found(store, "zebra", kind="pending") == []
        assert_index_exact(store.path)


def test_paging_a_search_mixes_pending_and_completed_newest_first(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        ids = []
        for n in range(23):
            entry_id = begin(store, f"page {n}")
            if n % 3:  # two completed for one left pending
                store.complete(entry_id, kind="result", result_text="ok")
            ids.append(entry_id)
        pages = pages_of(store, EntryFilter(text="page"))
        assert [len(p) for p in pages] == [10, 10, 3]
        assert sum(pages, []) == ids[::-1]
        assert store.count(EntryFilter(text="page")) == 23


def test_a_step_1_file_is_migrated_and_its_index_stays_exact(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    with monkeypatch.context() as old_version:
        old_version.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        old_version.setattr(schema, "LATEST_VERSION", 1)
        with HistoryStore(path) as old:
            first_pending = begin(old, "zebra first")
            done = begin(old, "zebra done")
            old.complete(done, kind="result", result_text='"apple pie"')
            last_pending = begin(old, "zebra last")
            assert indexed(path, "zebra") == [first_pending, done, last_pending]  # step 1 indexed everything
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1

    with HistoryStore(path) as store:
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
        assert indexed(path, "zebra") == [done]  # the pending rows left the index with the values they had
        assert_index_exact(path)
        assert found(store, "zebra") == [last_pending, done, first_pending]
        assert found(store, "apple") == [done]

        store.complete(first_pending, kind="failure", error_message="connection reset by peer")
        assert indexed(path, "reset") == [first_pending]
        assert found(store, "reset") == [first_pending]
        assert found(store, "zebra") == [last_pending, done, first_pending]
        assert_index_exact(path)


def test_edits_bulk_inserts_and_prunes_keep_the_index_exact(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        ids = []
        for n in range(8):
            entry_id = begin(store, f"zebra {n}")
            if n % 2:
                store.complete(entry_id, kind="result", result_text="ok")
            ids.append(entry_id)
        store._bulk_insert([{"created_epoch": 1.0, "interface": "puter-kvstore", "service": "puter-kvstore",
                             "method": "get", "args_json": '{"prompt": "zebra imported"}'}])
        assert_index_exact(store.path)
        assert store.count(EntryFilter(text="imported")) == 1

        with store._write() as conn:  # a completed row changed afterwards is indexed again, with its new text
            conn.execute("UPDATE entries SET summary = 'renamed' WHERE id = ?", (ids[1],))
        assert found(store, "renamed") == [ids[1]]
        assert_index_exact(store.path)

        assert store.prune(older_than_days=1) == 1  # the import, dated 1970
        assert_index_exact(store.path)
        assert store.prune(keep=5) == 3  # the three oldest calls: pending, completed (renamed), pending
        assert_index_exact(store.path)
        assert found(store, "zebra") == ids[:2:-1]
        assert found(store, "imported") == [] and found(store, "renamed") == []

        assert store.prune(keep=0) == 5
        assert_index_exact(store.path)
        assert found(store, "zebra") == []


def test_without_fts5_the_new_step_leaves_search_to_like(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    with monkeypatch.context() as no_fts5:
        no_fts5.setattr(schema, "fts5_available", lambda conn: False)
        no_fts5.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        no_fts5.setattr(schema, "LATEST_VERSION", 1)
        with HistoryStore(path) as old:
            pending = begin(old, "zebra pending")
    # Opened later by a build with FTS5: the file still has no index, and search still finds everything.
    with HistoryStore(path) as store:
        assert not store._has_fts
        done = begin(store, "zebra done")
        store.complete(done, kind="result", result_text="ok")
        assert found(store, "zebra") == [done, pending]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
        assert not any(n.startswith(schema.FTS_TABLE) for n in names)
