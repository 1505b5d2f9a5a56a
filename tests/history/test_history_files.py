"""The history file itself: private permissions, and refusal to touch a file that is not ours."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from explorer.history import HistoryError, HistoryStore
from explorer.history import schema


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_database_and_its_wal_files_are_private(tmp_path):
    old_umask = os.umask(0o000)  # the most permissive umask: every created file would be 0666
    try:
        path = tmp_path / "sub" / "history.sqlite3"
        with HistoryStore(path) as store:
            store.begin(origin="o", profile="p", interface="i", service="s", method="m",
                        args_json="{}", test_mode=False, request_body="{}")
            assert mode(path) == 0o600
            for suffix in ("-wal", "-shm"):
                companion = Path(f"{path}{suffix}")
                assert companion.exists() and mode(companion) == 0o600
            assert mode(path.parent) == 0o700
    finally:
        os.umask(old_umask)


def test_store_uses_wal_and_records_the_schema_version(tmp_path):
    path = tmp_path / "history.sqlite3"
    HistoryStore(path).close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    finally:
        conn.close()


def test_text_file_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_text("these are my notes, not a database\n")
    before = snapshot(tmp_path)
    with pytest.raises(HistoryError, match="not a SQLite database"):
        HistoryStore(path)
    assert snapshot(tmp_path) == before


def test_damaged_sqlite_file_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    before = snapshot(tmp_path)
    with pytest.raises(HistoryError, match="damaged"):
        HistoryStore(path)
    assert snapshot(tmp_path) == before


def test_sqlite_database_of_another_application_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    conn.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    conn.commit()
    conn.close()
    before = snapshot(tmp_path)
    with pytest.raises(HistoryError, match="invoices"):
        HistoryStore(path)
    assert snapshot(tmp_path) == before


def test_history_with_an_extra_table_is_refused(tmp_path):
    path = tmp_path / "history.sqlite3"
    HistoryStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE something_else (x)")
    conn.commit()
    conn.close()
    before = snapshot(tmp_path)
    with pytest.raises(HistoryError, match="something_else"):
        HistoryStore(path)
    assert snapshot(tmp_path) == before


def test_database_with_another_application_id_is_refused(tmp_path):
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.commit()
    conn.close()
    with pytest.raises(HistoryError, match="another application"):
        HistoryStore(path)


def test_newer_schema_version_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "history.sqlite3"
    with HistoryStore(path) as store:
        store.begin(origin="o", profile="p", interface="i", service="s", method="m",
                    args_json="{}", test_mode=False, request_body="{}")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema.LATEST_VERSION + 1}")
    conn.commit()
    conn.close()
    before = snapshot(tmp_path)
    with pytest.raises(HistoryError, match="newer puter-explorer"):
        HistoryStore(path)
    assert snapshot(tmp_path) == before


def test_a_folder_in_place_of_the_file_is_refused(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.mkdir()
    with pytest.raises(HistoryError, match="not a regular file"):
        HistoryStore(path)


def test_empty_sqlite_database_is_adopted(tmp_path):
    """An empty file (or one SQLite made with no tables) becomes a history."""
    path = tmp_path / "history.sqlite3"
    sqlite3.connect(path).close()
    with HistoryStore(path) as store:
        assert store.count() == 0


def test_migrations_run_in_order_from_the_stored_version(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    HistoryStore(path).close()
    applied = []

    next_version = schema.LATEST_VERSION + 1

    def next_step(conn):
        applied.append(next_version)
        conn.execute("ALTER TABLE entries ADD COLUMN note TEXT")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, next_step])
    monkeypatch.setattr(schema, "LATEST_VERSION", next_version)
    HistoryStore(path).close()
    HistoryStore(path).close()  # already at the new version: nothing runs again
    assert applied == [next_version]
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == next_version
        assert "note" in [row[1] for row in conn.execute("PRAGMA table_info(entries)")]
    finally:
        conn.close()


def test_a_file_in_the_way_of_the_history_folder_is_a_history_error(tmp_path):
    (tmp_path / "data").write_text("a file where the folder should be")
    with pytest.raises(HistoryError, match="Cannot create the history folder .*: a file is in the way"):
        HistoryStore(tmp_path / "data" / "history.sqlite3")
    with pytest.raises(HistoryError, match="Cannot create the history folder"):
        HistoryStore(tmp_path / "data" / "deeper" / "history.sqlite3")


def begun(store: HistoryStore) -> int:
    return store.begin(origin="o", profile="p", interface="i", service="s", method="m",
                       args_json="{}", test_mode=False, request_body="{}")


def test_complete_returns_where_the_body_now_is(tmp_path):
    body = tmp_path / "download.wav"
    body.write_bytes(b"RIFF....")
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        entry_id = begun(store)
        moved = store.complete(entry_id, kind="binary", body_file=body)
        assert moved is not None and str(moved) == store.get(entry_id).body_path
        assert moved.read_bytes() == b"RIFF...." and not body.exists()
        assert store.complete(begun(store), kind="result", result_text="small") is None


def test_a_failed_complete_gives_the_body_file_back(tmp_path):
    body = tmp_path / "download.wav"
    body.write_bytes(b"RIFF....")
    with HistoryStore(tmp_path / "history.sqlite3", busy_timeout=0.1) as store:
        entry_id = begun(store)
        other = sqlite3.connect(store.path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        try:
            with pytest.raises(HistoryError, match="database is locked"):
                store.complete(entry_id, kind="binary", body_file=body)
        finally:
            other.close()
        assert body.read_bytes() == b"RIFF...." and not any(store.bodies_dir.iterdir())
        assert store.get(entry_id).pending  # and it can still be completed
        assert store.complete(entry_id, kind="binary", body_file=body) is not None


def test_commits_are_not_synced_one_by_one_but_the_journal_is_wal(tmp_path):
    # NORMAL in WAL mode: durable against a killed process (see test_history_processes), no fsync per write.
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        conn = store._conn
        assert conn is not None
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
