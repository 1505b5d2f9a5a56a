"""Opening a history file safely: created private, and never written to unless it is ours.

A file that is not a puter-explorer history (not SQLite, damaged, other tables, a newer schema) raises
`HistoryError` and is inspected through a read-only connection before anything else happens.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

from explorer.history import schema
from explorer.history.errors import HistoryError

_SQLITE_MAGIC = b"SQLite format 3\x00"


def prepare_file(path: Path) -> None:
    """Create the folder (0700) and an empty file (0600) when they do not exist yet."""
    parent = path.parent
    if not parent.is_dir():
        try:
            parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            raise HistoryError(f"Cannot create the history folder {parent}: a file is in the way.") from exc
        except OSError as exc:
            raise HistoryError(f"Cannot create the history folder {parent}: {exc.strerror or exc}.") from exc
    if path.exists():
        if not path.is_file():
            raise HistoryError(f"History path {path} exists but is not a regular file.")
        return
    try:
        # Created here, with 0600, so SQLite never creates it with the default (umask) mode.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # another process created it a moment ago
    except OSError as exc:
        raise HistoryError(f"Cannot create the history file {path}: {exc.strerror}.") from exc


def inspect_read_only(path: Path, busy_timeout: float) -> None:
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
        check_ours(conn, path)
    finally:
        conn.close()


def check_ours(conn: sqlite3.Connection, path: Path) -> int:
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


def retry_locked(action: Callable[[], Any], attempts: int = 50) -> Any:
    """Run `action`, retrying while another connection holds a lock the busy handler does not cover."""
    for attempt in range(attempts):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)
    return None


def chmod_private(path: Path) -> None:
    """0600 where the system has such modes (elsewhere, e.g. Windows, chmod sets only read-only)."""
    try:
        os.chmod(path, 0o600)
    except FileNotFoundError:
        pass
