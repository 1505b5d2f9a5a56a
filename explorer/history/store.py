"""The call history: one SQLite file that records every driver call, from the moment it is sent.

A call is written as `pending` by `begin()` before the request leaves, and `complete()` fills in the
outcome when it arrives, so a crash (even `kill -9`) loses nothing but the answer of a call in flight.

Stored values are plain: strings, numbers, JSON text, files. This module knows nothing of the protocol
package or of the UI; the caller turns its outcomes into these values (and has removed the token).

Connections: one connection per store, shared by the threads of the app behind a lock; SQLite
serialises writers anyway, and one long-lived connection keeps its page cache warm. Other processes
(a second app on the same file) are handled by WAL mode, a busy timeout and `BEGIN IMMEDIATE` around
every short write. A write made with `wait=False` never waits: when the lock or the database is taken
it raises `HistoryBusy` at once, so an event loop can try a write inline and hand it to a thread
otherwise (see `recorder`).

Files: the database and every body file are created 0600, the bodies/ folder 0700. SQLite creates the
-wal and -shm files with the permissions of the database file, and we chmod them too, to be sure.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from explorer.history import bodies, schema, search
from explorer.history.entries import COLUMNS, OUTCOME_KINDS, PENDING, Entry, EntryFilter, entry_from_row
from explorer.history.errors import HistoryBusy, HistoryError
from explorer.history.opening import check_ours, chmod_private, inspect_read_only, prepare_file, retry_locked

__all__ = ["OUTCOME_KINDS", "PENDING", "Entry", "EntryFilter", "HistoryStore", "default_history_path"]

DEFAULT_INLINE_LIMIT = 64 * 1024
BODIES_DIR = "bodies"
_BUSY_TIMEOUT_S = 10.0


def default_history_path() -> Path:
    """Where the history lives unless the user says otherwise."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("puter-explorer")) / "history.sqlite3"


class HistoryStore:
    def __init__(
        self, path: Path | str, *, inline_limit: int = DEFAULT_INLINE_LIMIT, busy_timeout: float = _BUSY_TIMEOUT_S
    ) -> None:
        self.path = Path(path)
        self.bodies_dir = self.path.parent / BODIES_DIR
        self.inline_limit = inline_limit
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._busy_ms = int(busy_timeout * 1000)  # the connection's busy timeout now
        try:
            prepare_file(self.path)
            inspect_read_only(self.path, busy_timeout)  # raises before anything is written to a file that is not ours
        except OSError as exc:  # unreadable file or folder: say so, as for every other reason
            raise HistoryError(f"Cannot open the history file {self.path}: {exc.strerror or exc}.") from exc
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise HistoryError(f"Cannot open the history file {self.path}: {exc}.") from exc
        try:
            self._migrate()
            self._has_fts = self._table_exists(schema.FTS_TABLE)
        except BaseException as exc:
            self.close()
            if isinstance(exc, (sqlite3.Error, OSError)):
                raise HistoryError(f"Cannot open the history file {self.path}: {exc}.") from exc
            raise

    def _migrate(self) -> None:
        with self._write() as conn:
            # Checked again under the write lock: another process may have changed the file meanwhile.
            version = check_ours(conn, self.path)
            for step in schema.MIGRATIONS[version:]:
                step(conn)
            if version < schema.LATEST_VERSION:
                conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {schema.LATEST_VERSION}")
        # Only now that the file is known to be ours: WAL (persistent, kept in the file) and durability.
        conn = self._live_conn()
        retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL").fetchone())
        # NORMAL, as SQLite advises for WAL: a commit is in the WAL (in the OS's hands) when it returns, so a
        # killed process loses nothing and the file is never corrupted; only a power cut or an OS crash
        # may roll back the last commits. FULL adds an fsync to each of the two writes of every call.
        conn.execute("PRAGMA synchronous=NORMAL")
        for suffix in ("-wal", "-shm"):
            chmod_private(Path(f"{self.path}{suffix}"))

    def _table_exists(self, name: str) -> bool:
        with self._read() as conn:
            row = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone()
        return row is not None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------------- transactions

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._live_conn()
            try:
                yield conn
            except sqlite3.DatabaseError as exc:
                raise HistoryError(f"Reading the history {self.path} failed: {exc}.") from exc

    @contextmanager
    def _write(self, wait: bool = True) -> Iterator[sqlite3.Connection]:
        """One short write transaction, taking the write lock up front so it cannot deadlock later.

        With `wait=False` it raises HistoryBusy instead of waiting for another thread or process.
        """
        if not self._lock.acquire(blocking=wait):
            raise HistoryBusy(f"The history {self.path} is busy.")
        try:
            conn = self._live_conn()
            self._set_busy_timeout(conn, self.busy_timeout if wait else 0.0)
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if not wait and "locked" in str(exc):
                    raise HistoryBusy(f"The history {self.path} is locked by another program.") from exc
                raise HistoryError(f"Cannot write to the history {self.path}: {exc}.") from exc
            except sqlite3.DatabaseError as exc:
                raise HistoryError(f"Cannot write to the history {self.path}: {exc}.") from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite already rolled back (a full disk, an I/O error): the first error is raised
                if isinstance(exc, sqlite3.DatabaseError):
                    raise HistoryError(f"Writing to the history {self.path} failed: {exc}.") from exc
                raise
        finally:
            self._lock.release()

    def _set_busy_timeout(self, conn: sqlite3.Connection, seconds: float) -> None:
        wanted = int(seconds * 1000)
        if wanted != self._busy_ms:
            conn.execute(f"PRAGMA busy_timeout = {wanted}")
            self._busy_ms = wanted

    def _live_conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise HistoryError("The history store is closed.")
        return self._conn

    # ----------------------------------------------------------------------------- writing

    def begin(
        self,
        *,
        origin: str,
        profile: str,
        interface: str,
        service: str,
        method: str,
        args_json: str,
        test_mode: bool,
        request_body: str,
        replay_of: int | None = None,
        wait: bool = True,
    ) -> int:
        """Record a call as it is sent (kind 'pending'); returns the entry id for `complete()`."""
        now = time.time()
        with self._write(wait) as conn:
            cursor = conn.execute(
                "INSERT INTO entries (created_at, created_epoch, origin, profile, interface, service, method,"
                " args_json, test_mode, request_body, replay_of) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (_iso(now), now, origin, profile, interface, service, method, args_json,
                 int(bool(test_mode)), request_body, replay_of),
            )
            return int(cursor.lastrowid)

    def complete(
        self,
        entry_id: int,
        *,
        kind: str,
        status: int | None = None,
        response_headers: Iterable[tuple[str, str]] = (),
        error_code: str | None = None,
        error_message: str | None = None,
        duration_ms: float | None = None,
        size: int | None = None,
        result_text: str | None = None,
        body_file: Path | str | None = None,
        content_type: str | None = None,
        summary: str = "",
        body_sha256: str | None = None,
        external_body: Path | str | None = None,
        wait: bool = True,
    ) -> Path | None:
        """Record the outcome of a pending call; returns where its body file now is (None: no file).

        `result_text` is kept inline when its UTF-8 form fits `inline_limit`, else written to a body file.
        `body_file` (a binary or stream body the client saved) is moved into the bodies/ folder: the
        store owns it afterwards. Each body file is recorded with its sha256. Given both, the file is the
        body and `result_text` (when it fits) is kept inline as its searchable text.
        When recording fails, `body_file` is back where it was (or, if it cannot be, left in bodies/).

        `external_body` is a body file the user chose (e.g. `call -o PATH`): it stays where it is and the
        entry records its absolute path; the store never moves, copies or deletes it. `body_sha256`, when
        the caller already hashed the body while writing it, is recorded as is instead of reading the
        file again. With `wait=False` (no file to write), HistoryBusy instead of waiting for the lock.
        """
        if kind not in OUTCOME_KINDS:
            raise ValueError(f"kind must be one of {', '.join(OUTCOME_KINDS)}, not {kind!r}")
        headers_json = json.dumps([[str(name), str(value)] for name, value in response_headers])
        encoded = result_text.encode("utf-8", "surrogatepass") if result_text is not None else None
        fits = encoded is not None and len(encoded) <= self.inline_limit
        if body_file is not None or (encoded is not None and not fits and external_body is None):
            # Before touching body files, which are named after the entry. A call with no file to write
            # skips this read: the check inside the write below is the one that counts.
            self._require_pending(entry_id)
        inline: str | None = None
        stored: tuple[str, str] | None = None  # (name inside bodies/ or an absolute path, sha256)
        try:
            if external_body is not None:
                where = Path(os.path.abspath(external_body))
                stored = (str(where), body_sha256 or bodies.sha256_file(where))
            elif body_file is not None:
                stored = bodies.adopt_file(self.bodies_dir, entry_id, Path(body_file), body_sha256)
            elif encoded is not None and not fits:
                stored = bodies.store_bytes(self.bodies_dir, entry_id, encoded)
        except OSError as exc:  # a full disk, a bodies/ folder we cannot write
            raise HistoryError(f"Cannot store the body of history entry {entry_id}: {exc.strerror or exc}.") from exc
        if fits:
            inline = result_text  # with a body file, a searchable reading of it (a stream's assembled text)
        try:
            with self._write(wait) as conn:
                self._require_pending(entry_id, conn)  # again, inside the write: it may have changed
                conn.execute(
                    "UPDATE entries SET completed_at=?, status=?, response_headers=?, kind=?, error_code=?,"
                    " error_message=?, duration_ms=?, size=?, result_inline=?, body_path=?, body_sha256=?,"
                    " content_type=?, summary=? WHERE id=?",
                    (_iso(time.time()), status, headers_json, kind, error_code, error_message, duration_ms,
                     size, inline, stored[0] if stored else None, stored[1] if stored else None,
                     content_type, summary, entry_id),
                )
        except BaseException:
            if stored is not None and external_body is None:
                source = Path(body_file) if body_file is not None else None
                bodies.give_back(self.bodies_dir / stored[0], source)
            raise
        return self.bodies_dir / stored[0] if stored is not None else None  # an absolute name stays as it is

    def _require_pending(self, entry_id: int, conn: sqlite3.Connection | None = None) -> None:
        if conn is None:
            with self._read() as conn:
                row = conn.execute("SELECT kind FROM entries WHERE id=?", (entry_id,)).fetchone()
        else:
            row = conn.execute("SELECT kind FROM entries WHERE id=?", (entry_id,)).fetchone()
        if row is None:
            raise HistoryError(f"History entry {entry_id} does not exist (was it pruned?).")
        if row[0] != PENDING:
            raise HistoryError(f"History entry {entry_id} is already complete.")

    def _bulk_insert(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Insert many completed entries in one transaction (benchmarks and imports).

        Each row maps column names of `entries` to values; `created_epoch` is required.
        """
        columns = ("created_at", "created_epoch", "completed_at", "origin", "profile", "interface",
                   "service", "method", "args_json", "test_mode", "request_body", "status",
                   "response_headers", "kind", "error_code", "error_message", "duration_ms", "size",
                   "result_inline", "content_type", "replay_of", "summary")
        defaults = {"origin": "", "profile": "", "args_json": "{}", "test_mode": 0, "request_body": "",
                    "response_headers": "[]", "kind": "result", "summary": ""}

        def values(row: Mapping[str, Any]) -> tuple[Any, ...]:
            merged = {**defaults, **row}
            merged.setdefault("created_at", _iso(merged["created_epoch"]))
            return tuple(merged.get(c) for c in columns)

        marks = ",".join("?" * len(columns))
        with self._write() as conn:
            conn.executemany(
                f"INSERT INTO entries ({', '.join(columns)}) VALUES ({marks})", (values(r) for r in rows)
            )

    # ----------------------------------------------------------------------------- reading

    def get(self, entry_id: int) -> Entry | None:
        with self._read() as conn:
            row = conn.execute(f"SELECT {COLUMNS} FROM entries WHERE id=?", (entry_id,)).fetchone()
        return entry_from_row(row, self.bodies_dir) if row else None

    def list(
        self, *, limit: int = 50, before_id: int | None = None, filter: EntryFilter | None = None
    ) -> list[Entry]:
        """Newest first. For the next page pass `before_id` = the id of the last entry received."""
        sql, params = search.list_query(filter, limit=limit, before_id=before_id, has_fts=self._has_fts)
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [entry_from_row(row, self.bodies_dir) for row in rows]

    def count(self, filter: EntryFilter | None = None) -> int:
        sql, params = search.count_query(filter, has_fts=self._has_fts)
        with self._read() as conn:
            return int(conn.execute(sql, params).fetchone()[0])

    def read_body(self, entry: Entry, *, max_bytes: int | None = None) -> bytes | None:
        """The response body as bytes (inline text or the body file), or None when there is none."""
        if entry.result_inline is not None:
            data = entry.result_inline.encode("utf-8", "surrogatepass")
            return data if max_bytes is None else data[:max_bytes]
        if entry.body_path is None:
            return None
        try:
            with open(entry.body_path, "rb") as body:
                return body.read() if max_bytes is None else body.read(max_bytes)
        except FileNotFoundError:
            raise HistoryError(f"The body file of history entry {entry.id} is missing: {entry.body_path}"
                               + (" (moved or deleted since the call)." if entry.body_external else ".")) from None

    # ----------------------------------------------------------------------------- pruning

    def prune(self, *, older_than_days: float | None = None, keep: int | None = None) -> int:
        """Delete entries older than `older_than_days` and/or all but the newest `keep`; returns how many.

        Body files are removed after the rows are gone, so a crash can leave a stray file, never a
        row pointing at a missing file. Only files inside bodies/ are removed: a body the user chose
        (recorded by its absolute path) is theirs.
        """
        conditions: list[str] = []
        params: list[Any] = []
        if older_than_days is not None:
            conditions.append("created_epoch < ?")
            params.append(time.time() - float(older_than_days) * 86400)
        if keep is not None:
            if keep <= 0:
                conditions.append("1")
            else:
                # Everything older than the keep-th newest entry (nothing when there are fewer).
                conditions.append("id < COALESCE((SELECT id FROM entries ORDER BY id DESC LIMIT 1 OFFSET ?), -1)")
                params.append(int(keep) - 1)
        if not conditions:
            return 0
        where = " OR ".join(conditions)
        with self._write() as conn:
            names = [name for (name,) in conn.execute(
                f"SELECT body_path FROM entries WHERE ({where}) AND body_path IS NOT NULL", params)]
            deleted = conn.execute(f"DELETE FROM entries WHERE {where}", params).rowcount
        for name in names:
            if bodies.inside(self.bodies_dir, name):
                (self.bodies_dir / name).unlink(missing_ok=True)
        return deleted


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="microseconds")
