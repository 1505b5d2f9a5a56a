"""The history database schema: one list of migration steps, applied in order.

`PRAGMA user_version` is the number of steps already applied. A step is never edited once released;
a change to the schema is a new step appended to `MIGRATIONS`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# "PXHS" in ASCII: marks the file as a puter-explorer history database (PRAGMA application_id).
APPLICATION_ID = 0x50584853

ENTRIES_TABLE = "entries"
FTS_TABLE = "entries_fts"

# Columns of `entries_fts`: the text a free-text search looks at.
FTS_COLUMNS = ("interface", "service", "method", "args_json", "result_inline", "error_message", "summary")


def fts5_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite library was built with FTS5 (most are; a few system builds are not)."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x)")
        conn.execute("DROP TABLE temp.fts5_probe")
        return True
    except sqlite3.OperationalError:
        return False


def _step_1_entries(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE entries (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so replay_of stays true
            created_at      TEXT    NOT NULL,                   -- ISO 8601, UTC
            created_epoch   REAL    NOT NULL,                   -- the same instant, for range queries
            completed_at    TEXT,
            origin          TEXT    NOT NULL,
            profile         TEXT    NOT NULL,
            interface       TEXT    NOT NULL,
            service         TEXT    NOT NULL,
            method          TEXT    NOT NULL,
            args_json       TEXT    NOT NULL,
            test_mode       INTEGER NOT NULL DEFAULT 0,
            request_body    TEXT    NOT NULL,
            status          INTEGER,
            response_headers TEXT   NOT NULL DEFAULT '[]',     -- JSON list of [name, value]
            kind            TEXT    NOT NULL DEFAULT 'pending',
            error_code      TEXT,
            error_message   TEXT,
            duration_ms     REAL,
            size            INTEGER,
            result_inline   TEXT,
            body_path       TEXT,                               -- relative to the bodies/ folder
            body_sha256     TEXT,
            content_type    TEXT,
            replay_of       INTEGER,
            summary         TEXT    NOT NULL DEFAULT ''
        )
        """
    )
    # Each filter column is paired with id so "filter, newest first, before id X" is one index range.
    for column in ("interface", "service", "method", "kind", "error_code"):
        conn.execute(f"CREATE INDEX entries_{column}_id ON entries({column}, id)")
    conn.execute("CREATE INDEX entries_created_epoch ON entries(created_epoch)")

    if not fts5_available(conn):
        return  # free-text search falls back to LIKE (see store._text_clause)
    columns = ", ".join(FTS_COLUMNS)
    new_values = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old_values = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    # External-content table: the text lives once, in `entries`; triggers keep the index in step
    # inside the same transaction as the write.
    conn.execute(
        f"CREATE VIRTUAL TABLE entries_fts USING fts5({columns}, content='entries', content_rowid='id',"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    conn.execute(
        f"CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN"
        f" INSERT INTO entries_fts(rowid, {columns}) VALUES (new.id, {new_values}); END"
    )
    conn.execute(
        f"CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN"
        f" INSERT INTO entries_fts(entries_fts, rowid, {columns}) VALUES ('delete', old.id, {old_values}); END"
    )
    conn.execute(
        f"CREATE TRIGGER entries_fts_update AFTER UPDATE ON entries BEGIN"
        f" INSERT INTO entries_fts(entries_fts, rowid, {columns}) VALUES ('delete', old.id, {old_values});"
        f" INSERT INTO entries_fts(rowid, {columns}) VALUES (new.id, {new_values}); END"
    )


def _step_2_index_completed_only(conn: sqlite3.Connection) -> None:
    """Index a call once it is complete, not while it is pending.

    A pending row is written and then rewritten moments later by `complete()`; indexing it in between
    cost three FTS operations per call. Pending rows are few, and search finds them with LIKE
    (see HistoryStore._where). The invariant from here on: a row is in `entries_fts` exactly when
    its kind is not 'pending'.
    """
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (FTS_TABLE,)).fetchone() is None:
        return  # built without FTS5: search uses LIKE, there is no index to keep
    columns = ", ".join(FTS_COLUMNS)
    new_values = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old_values = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    for name in ("insert", "update", "delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS entries_fts_{name}")
    # Step 1 indexed pending rows too: take them out, with the values they were indexed with.
    conn.execute(
        f"INSERT INTO entries_fts(entries_fts, rowid, {columns})"
        f" SELECT 'delete', id, {columns} FROM entries WHERE kind = 'pending'"
    )
    conn.execute(
        f"CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries WHEN new.kind != 'pending' BEGIN"
        f" INSERT INTO entries_fts(rowid, {columns}) VALUES (new.id, {new_values}); END"
    )
    conn.execute(
        f"CREATE TRIGGER entries_fts_complete AFTER UPDATE ON entries"
        f" WHEN old.kind = 'pending' AND new.kind != 'pending' BEGIN"
        f" INSERT INTO entries_fts(rowid, {columns}) VALUES (new.id, {new_values}); END"
    )
    conn.execute(
        f"CREATE TRIGGER entries_fts_update AFTER UPDATE ON entries WHEN old.kind != 'pending' BEGIN"
        f" INSERT INTO entries_fts(entries_fts, rowid, {columns}) VALUES ('delete', old.id, {old_values});"
        f" INSERT INTO entries_fts(rowid, {columns}) SELECT new.id, {new_values} WHERE new.kind != 'pending'; END"
    )
    conn.execute(
        f"CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries WHEN old.kind != 'pending' BEGIN"
        f" INSERT INTO entries_fts(entries_fts, rowid, {columns}) VALUES ('delete', old.id, {old_values}); END"
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _step_1_entries,
    _step_2_index_completed_only,
]

LATEST_VERSION = len(MIGRATIONS)

# Every table any released version creates (FTS5 adds its shadow tables); anything else is foreign.
KNOWN_TABLES = frozenset(
    {
        ENTRIES_TABLE,
        FTS_TABLE,
        *(f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "content", "docsize", "config")),
    }
)
