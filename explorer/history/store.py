"""The call history: one SQLite file that records every driver call, from the moment it is sent.

A call is written as `pending` by `begin()` before the request leaves, and `complete()` fills in the
outcome when it arrives, so a crash (even `kill -9`) never loses the request.

Stored values are plain: strings, numbers, JSON text, files. This module knows nothing of the protocol
package or of the UI; the caller turns its outcomes into these values (and has removed the token).

Connections: one connection per store, shared by the threads of the app (Textual workers) behind a
lock. SQLite serialises writers anyway, so a lock costs nothing in throughput, and one long-lived
connection keeps the page cache warm and avoids re-reading the schema on every call. Other processes
are handled by WAL mode, a busy timeout and `BEGIN IMMEDIATE` around every (short) write.

Files: the database and every body file are created 0600, the bodies/ folder 0700. SQLite creates the
-wal and -shm files with the permissions of the database file, and we chmod them too, to be sure.
A file that is not ours (not SQLite, damaged, other tables, a newer schema) raises `HistoryError` and
is never written to: it is inspected through a read-only connection before anything else happens.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from explorer.history import schema
from explorer.history.errors import HistoryError

# The five ways a call can end (the same words as the protocol package uses), plus 'pending'.
OUTCOME_KINDS: tuple[str, ...] = ("result", "driver_error", "binary", "stream", "failure")
PENDING = "pending"

DEFAULT_INLINE_LIMIT = 64 * 1024
BODIES_DIR = "bodies"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_BUSY_TIMEOUT_S = 10.0
_CHUNK = 1024 * 1024


def default_history_path() -> Path:
    """Where the history lives unless the user says otherwise."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("puter-explorer")) / "history.sqlite3"


@dataclass
class Entry:
    """One recorded call."""

    id: int
    created_at: datetime  # UTC, timezone-aware
    origin: str
    profile: str
    interface: str
    service: str
    method: str
    args_json: str
    test_mode: bool
    request_body: str
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    kind: str = PENDING
    error_code: str | None = None
    error_message: str | None = None
    duration_ms: float | None = None
    size: int | None = None
    result_inline: str | None = None
    body_path: str | None = None  # absolute path of the body file, when the body was not kept inline
    body_sha256: str | None = None
    body_external: bool = False  # the body is the user's file (call -o): recorded where it is, never ours to delete
    content_type: str | None = None
    replay_of: int | None = None
    summary: str = ""
    completed_at: datetime | None = None

    @property
    def args(self) -> Any:
        return json.loads(self.args_json)

    @property
    def pending(self) -> bool:
        return self.kind == PENDING


@dataclass
class EntryFilter:
    """Conditions that all must hold; None means "any". `text` searches args, results, messages."""

    interface: str | None = None
    method: str | None = None
    service: str | None = None
    kind: str | None = None
    error_code: str | None = None
    since: datetime | float | None = None  # inclusive; naive datetimes are taken as UTC
    until: datetime | float | None = None  # exclusive
    text: str | None = None


_COLUMNS = (
    "id, created_at, completed_at, origin, profile, interface, service, method, args_json, test_mode,"
    " request_body, status, response_headers, kind, error_code, error_message, duration_ms, size,"
    " result_inline, body_path, body_sha256, content_type, replay_of, summary"
)


class HistoryStore:
    def __init__(
        self, path: Path | str, *, inline_limit: int = DEFAULT_INLINE_LIMIT, busy_timeout: float = _BUSY_TIMEOUT_S
    ) -> None:
        self.path = Path(path)
        self.bodies_dir = self.path.parent / BODIES_DIR
        self.inline_limit = inline_limit
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()  # batch() holds it around the writes made inside
        self._batching: int | None = None  # the thread inside batch(), if one is
        self._conn: sqlite3.Connection | None = None
        # Set by whoever writes to this file on our behalf elsewhere (the writer process): waits until
        # what was sent to it is written, so that a read sees it.
        self.before_read: Callable[[], object] | None = None
        try:
            self._prepare_file()
            _inspect_read_only(self.path, busy_timeout)  # raises before anything is written to a file that is not ours
        except OSError as exc:  # unreadable file or folder: say so, as for every other reason
            raise HistoryError(f"Cannot open the history file {self.path}: {exc.strerror or exc}.") from exc
        self._conn = self._connect()
        try:
            self._migrate()
            self._has_fts = self._table_exists(schema.FTS_TABLE)
        except BaseException as exc:
            self.close()
            if isinstance(exc, (sqlite3.Error, OSError)):
                raise HistoryError(f"Cannot open the history file {self.path}: {exc}.") from exc
            raise

    # ----------------------------------------------------------------------------- opening

    def _prepare_file(self) -> None:
        parent = self.path.parent
        if not parent.is_dir():
            try:
                parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError) as exc:
                raise HistoryError(f"Cannot create the history folder {parent}: a file is in the way.") from exc
            except OSError as exc:
                raise HistoryError(f"Cannot create the history folder {parent}: {exc.strerror or exc}.") from exc
        if self.path.exists():
            if not self.path.is_file():
                raise HistoryError(f"History path {self.path} exists but is not a regular file.")
            return
        try:
            # Created here, with 0600, so SQLite never creates it with the default (umask) mode.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass  # another process created it a moment ago
        except OSError as exc:
            raise HistoryError(f"Cannot create the history file {self.path}: {exc.strerror}.") from exc

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise HistoryError(f"Cannot open the history file {self.path}: {exc}.") from exc
        return conn

    def _migrate(self) -> None:
        with self._write() as conn:
            # Checked again under the write lock: another process may have changed the file meanwhile.
            version = _check_ours(conn, self.path)
            for step in schema.MIGRATIONS[version:]:
                step(conn)
            if version < schema.LATEST_VERSION:
                conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {schema.LATEST_VERSION}")
        # Only now that the file is known to be ours: WAL (persistent, kept in the file) and durability.
        conn = self._live_conn()
        _retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL").fetchone())
        # NORMAL, as SQLite advises for WAL: a commit is in the WAL (in the OS's hands) when it returns, so a
        # killed process loses nothing and the file is never corrupted; only a power cut or an OS crash
        # may roll back the last commits. FULL adds an fsync to each of the two writes of every call,
        # which made recording cost more than the call itself.
        conn.execute("PRAGMA synchronous=NORMAL")
        for suffix in ("-wal", "-shm"):
            _chmod_private(Path(f"{self.path}{suffix}"))

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
        if self.before_read is not None:
            self.before_read()
        with self._lock:
            conn = self._live_conn()
            try:
                yield conn
            except sqlite3.DatabaseError as exc:
                raise HistoryError(f"Reading the history {self.path} failed: {exc}.") from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, taking the write lock up front so it cannot deadlock later."""
        with self._lock:
            conn = self._live_conn()
            if self._batching == threading.get_ident():  # inside batch(): a savepoint of its transaction
                with self._savepoint(conn):
                    yield conn
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise HistoryError(f"Cannot write to the history {self.path}: {exc}.") from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite already rolled back (a full disk, an I/O error): keep the first error
                if isinstance(exc, sqlite3.DatabaseError):
                    raise HistoryError(f"Writing to the history {self.path} failed: {exc}.") from exc
                raise

    @contextmanager
    def _savepoint(self, conn: sqlite3.Connection) -> Iterator[None]:
        conn.execute("SAVEPOINT one_write")
        try:
            yield
            conn.execute("RELEASE one_write")
        except BaseException as exc:
            try:
                conn.execute("ROLLBACK TO one_write")
                conn.execute("RELEASE one_write")
            except sqlite3.Error:
                pass  # SQLite rolled the whole transaction back: the commit of batch() says so
            if isinstance(exc, sqlite3.DatabaseError):
                raise HistoryError(f"Writing to the history {self.path} failed: {exc}.") from exc
            raise

    @contextmanager
    def batch(self) -> Iterator[None]:
        """The writes this thread makes inside, in one transaction: one commit (and one index update) for all.

        A write that fails is undone alone, as outside. When the commit fails, none of them is in the
        history and HistoryError is raised: the caller may then make them one by one.
        """
        with self._write():
            self._batching = threading.get_ident()
            try:
                yield
            finally:
                self._batching = None

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
    ) -> int:
        """Record a call as it is sent (kind 'pending'); returns the entry id for `complete()`."""
        now = time.time()
        with self._write() as conn:
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
        body_file: Path | None = None,
        content_type: str | None = None,
        summary: str = "",
        body_sha256: str | None = None,
        external_body: Path | None = None,
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
        file again.
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
        stored: tuple[str, str] | None = None  # (name inside bodies/, sha256)
        try:
            if external_body is not None:
                where = Path(os.path.abspath(external_body))
                stored = (str(where), body_sha256 or _sha256_file(where))
                if fits:
                    inline = result_text
            elif body_file is not None:
                stored = self._adopt_file(entry_id, Path(body_file), body_sha256)
                # With a body file, result_text is a searchable reading of it (a stream's assembled text).
                if fits:
                    inline = result_text
            elif encoded is not None:
                if fits:
                    inline = result_text
                else:
                    stored = self._store_bytes(entry_id, encoded)
        except OSError as exc:  # a full disk, a bodies/ folder we cannot write
            raise HistoryError(f"Cannot store the body of history entry {entry_id}: {exc.strerror or exc}.") from exc

        try:
            with self._write() as conn:
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
                self._give_back(self.bodies_dir / stored[0], Path(body_file) if body_file is not None else None)
            raise
        return self.bodies_dir / stored[0] if stored is not None else None  # an absolute name stays as it is

    @staticmethod
    def _give_back(stored: Path, source: Path | None) -> None:
        """Undo a body that was not recorded: the caller's file goes back (its outcome points there)."""
        try:
            if source is None:
                stored.unlink(missing_ok=True)  # our own copy of text the caller still has
            else:
                os.replace(stored, source)
        except OSError:
            pass  # kept in bodies/ rather than lost

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

    def _ensure_bodies_dir(self) -> None:
        self.bodies_dir.mkdir(mode=0o700, exist_ok=True)

    def _store_bytes(self, entry_id: int, data: bytes) -> tuple[str, str]:
        self._ensure_bodies_dir()
        name = f"{entry_id}.txt"
        fd = os.open(self.bodies_dir / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return name, hashlib.sha256(data).hexdigest()

    def _adopt_file(self, entry_id: int, source: Path, sha256: str | None = None) -> tuple[str, str]:
        if not source.is_file():
            raise HistoryError(f"Body file {source} does not exist.")
        self._ensure_bodies_dir()
        name = f"{entry_id}{source.suffix or '.bin'}"
        target = self.bodies_dir / name
        try:
            os.replace(source, target)
        except OSError:
            # Another file system: copy into a private file, then remove the original.
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with source.open("rb") as src, os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(src, out, _CHUNK)
            except BaseException:
                target.unlink(missing_ok=True)  # a partial copy; the original is still there
                raise
            source.unlink()
        try:
            os.chmod(target, 0o600)
            return name, sha256 or _sha256_file(target)
        except BaseException:
            self._give_back(target, source)
            raise

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
            row = conn.execute(f"SELECT {_COLUMNS} FROM entries WHERE id=?", (entry_id,)).fetchone()
        return self._entry(row) if row else None

    def list(
        self, *, limit: int = 50, before_id: int | None = None, filter: EntryFilter | None = None
    ) -> list[Entry]:
        """Newest first. For the next page pass `before_id` = the id of the last entry received."""
        sql, params = self._list_query(limit=limit, before_id=before_id, filter=filter)
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [self._entry(row) for row in rows]

    def _list_query(
        self, *, limit: int, before_id: int | None, filter: EntryFilter | None
    ) -> tuple[str, list[Any]]:
        where, params, fts_query = self._where(filter)
        if fts_query is None or filter is None:  # no text, or matched with LIKE
            if before_id is not None:
                where.append("e.id < ?")
                params.append(before_id)
            clause = f" WHERE {' AND '.join(where)}" if where else ""
            sql = f"SELECT {_prefixed('e', _COLUMNS)} FROM entries e{clause} ORDER BY e.id DESC LIMIT ?"
            return sql, [*params, int(limit)]
        # Each part yields at most `limit` rows already newest first; only those few are merged.
        parts, values = [], []
        for source, conditions, part_params, key in _text_parts(filter, where, params, fts_query, before_id):
            parts.append(f"SELECT * FROM (SELECT {_prefixed('e', _COLUMNS)} FROM {source}"
                         f" WHERE {' AND '.join(conditions)} ORDER BY {key} DESC LIMIT ?)")
            values += [*part_params, int(limit)]
        return " UNION ALL ".join(parts) + " ORDER BY id DESC LIMIT ?", [*values, int(limit)]

    def count(self, filter: EntryFilter | None = None) -> int:
        where, params, fts_query = self._where(filter)
        if fts_query is None or filter is None:
            sql = "SELECT count(*) FROM entries e" + (f" WHERE {' AND '.join(where)}" if where else "")
        else:
            parts, values = [], []
            for source, conditions, part_params, _ in _text_parts(filter, where, params, fts_query, None):
                parts.append(f"(SELECT count(*) FROM {source} WHERE {' AND '.join(conditions)})")
                values += part_params
            sql, params = "SELECT " + " + ".join(parts), values
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

    def _where(self, filter: EntryFilter | None) -> tuple[list[str], list[Any], str | None]:
        """Conditions on `entries e`, and the FTS5 query for the free text when the index is to answer it
        (None: no text, or the text is matched with LIKE among the conditions)."""
        where: list[str] = []
        params: list[Any] = []
        if filter is None:
            return where, params, None
        for column in ("interface", "method", "service", "kind", "error_code"):
            value = getattr(filter, column)
            if value is not None:
                where.append(f"e.{column} = ?")
                params.append(value)
        if filter.since is not None:
            where.append("e.created_epoch >= ?")
            params.append(_epoch(filter.since))
        if filter.until is not None:
            where.append("e.created_epoch < ?")
            params.append(_epoch(filter.until))
        fts_query = None
        if filter.text and filter.text.strip():
            fts_query = _fts_query(filter.text) if self._has_fts else None
            if fts_query is None:
                _add_like(filter.text, where, params)
        return where, params, fts_query

    def _entry(self, row: tuple[Any, ...]) -> Entry:
        (id_, created_at, completed_at, origin, profile, interface, service, method, args_json, test_mode,
         request_body, status, headers, kind, error_code, error_message, duration_ms, size, result_inline,
         body_path, body_sha256, content_type, replay_of, summary) = row
        return Entry(
            id=id_,
            created_at=datetime.fromisoformat(created_at),
            completed_at=datetime.fromisoformat(completed_at) if completed_at else None,
            origin=origin, profile=profile, interface=interface, service=service, method=method,
            args_json=args_json, test_mode=bool(test_mode), request_body=request_body, status=status,
            response_headers=[(str(n), str(v)) for n, v in json.loads(headers or "[]")],
            kind=kind, error_code=error_code, error_message=error_message, duration_ms=duration_ms,
            size=size, result_inline=result_inline,
            body_path=str(self.bodies_dir / body_path) if body_path else None,  # an absolute one stays as it is
            body_sha256=body_sha256, body_external=bool(body_path) and os.path.isabs(body_path),
            content_type=content_type, replay_of=replay_of, summary=summary,
        )

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
            bodies = [name for (name,) in conn.execute(
                f"SELECT body_path FROM entries WHERE ({where}) AND body_path IS NOT NULL", params)]
            deleted = conn.execute(f"DELETE FROM entries WHERE {where}", params).rowcount
        for name in bodies:
            if _inside(self.bodies_dir, name):
                (self.bodies_dir / name).unlink(missing_ok=True)
        return deleted


# --------------------------------------------------------------------------------- helpers


def _inspect_read_only(path: Path, busy_timeout: float = _BUSY_TIMEOUT_S) -> None:
    """Refuse a file that is not a puter-explorer history, without writing a byte to it."""
    with open(path, "rb") as handle:
        head = handle.read(len(_SQLITE_MAGIC))
    if not head:
        return  # empty: just created (by us, or by another process about to initialise it)
    if head != _SQLITE_MAGIC:
        raise HistoryError(
            f"{path} is not a SQLite database, so it cannot be the puter-explorer history. "
            "It was left untouched; move it away or choose another history file."
        )
    # Without -wal/-shm beside it no connection is live, and `immutable` keeps SQLite from creating
    # them (a plain read-only open of a WAL database would). With them, they are SQLite's to use.
    live = any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-shm"))
    uri = f"file:{quote(str(path))}?mode=ro" + ("" if live else "&immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout)
    except sqlite3.Error as exc:
        raise HistoryError(f"Cannot open the history file {path}: {exc}.") from exc
    try:
        _check_ours(conn, path)
    finally:
        conn.close()


def _check_ours(conn: sqlite3.Connection, path: Path) -> int:
    """Return the schema version of a history database, or raise if the file is someone else's."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise HistoryError(
            f"The history file {path} is damaged or is not a SQLite database ({exc}). "
            "It was left untouched; move it away to start a new history."
        ) from exc
    tables = {t for t in tables if not t.startswith("sqlite_")}
    untouched = "It was left untouched; choose another history file."
    if app_id not in (0, schema.APPLICATION_ID):
        raise HistoryError(f"{path} is a SQLite database of another application, not a puter-explorer history. {untouched}")
    if version > schema.LATEST_VERSION:
        raise HistoryError(
            f"The history file {path} was written by a newer puter-explorer (schema version {version}; "
            f"this version knows up to {schema.LATEST_VERSION}). Upgrade puter-explorer to use it. {untouched}"
        )
    foreign = sorted(tables - schema.KNOWN_TABLES)
    if foreign or (version == 0 and tables):
        shown = ", ".join(foreign or sorted(tables))
        raise HistoryError(f"{path} is a SQLite database with tables that are not a puter-explorer history ({shown}). {untouched}")
    if version > 0 and schema.ENTRIES_TABLE not in tables:
        raise HistoryError(f"The history file {path} is damaged: its entries table is missing. {untouched}")
    return version


def _retry_locked(action: Any, attempts: int = 50) -> Any:
    """Run `action`, retrying while another connection holds a lock the busy handler does not cover."""
    for attempt in range(attempts):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)
    return None


def _chmod_private(path: Path) -> None:
    try:
        os.chmod(path, 0o600)
    except FileNotFoundError:
        pass


def _inside(folder: Path, name: str) -> bool:
    """Whether the recorded body name `name` is a plain file name inside `folder`."""
    if os.path.isabs(name) or not name:
        return False
    return Path(os.path.normpath(folder / name)).parent == Path(os.path.normpath(folder))


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="microseconds")


def _epoch(value: datetime | float | int) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    return float(value)


def _prefixed(alias: str, columns: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))


def _text_parts(
    filter: EntryFilter, where: list[str], params: list[Any], fts_query: str, before_id: int | None
) -> list[tuple[str, list[str], list[Any], str]]:
    """The two sources of a free-text match, as (FROM, conditions, their params, ordering key).

    Completed entries are in the FTS index (see schema step 2); pending ones are not, and are
    matched with the same LIKE as a build without FTS5. Pending entries are few and the kind index
    finds them, so that part stays cheap. A kind filter leaves only one of the two.
    """
    parts = []
    if filter.kind != PENDING:
        # Driven by the FTS index in rowid order, so the first page stops early even for a common
        # word; the rowid bound lets FTS5 seek instead of walking every newer match.
        conditions, values = ["entries_fts MATCH ?", *where], [fts_query, *params]
        if before_id is not None:
            conditions.append("entries_fts.rowid < ?")
            values.append(before_id)
        parts.append(("entries_fts JOIN entries e ON e.id = entries_fts.rowid", conditions, values,
                      "entries_fts.rowid"))
    if filter.kind in (None, PENDING):
        conditions, values = ["e.kind = ?", *where], [PENDING, *params]
        _add_like(filter.text or "", conditions, values)
        if before_id is not None:
            conditions.append("e.id < ?")
            values.append(before_id)
        # Pinned to the kind index: another filter's index could walk many completed rows instead.
        parts.append(("entries e INDEXED BY entries_kind_id", conditions, values, "e.id"))
    return parts


def _add_like(text: str, where: list[str], params: list[Any]) -> None:
    """Every word of `text` must occur, as a substring, in one of the searchable columns."""
    for term in text.split():
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append("(" + " OR ".join(f"e.{c} LIKE ? ESCAPE '\\'" for c in schema.FTS_COLUMNS) + ")")
        params.extend([pattern] * len(schema.FTS_COLUMNS))


def _fts_query(text: str) -> str | None:
    """Turn what a person typed into an FTS5 query: every word must occur, as a word prefix.

    Each word is quoted, so FTS5 operators and punctuation in the input are taken literally.
    Returns None when no word has a letter or digit (FTS5 would match nothing); LIKE handles that.
    """
    terms = [t for t in text.split() if any(ch.isalnum() for ch in t)]
    if len(terms) != len(text.split()):
        return None
    return " ".join('"' + t.replace('"', '""') + '"*' for t in terms)
