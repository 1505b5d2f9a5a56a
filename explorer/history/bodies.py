"""Body files: responses too large to keep inline, stored in the bodies/ folder beside the database.

Each is named after its entry, created 0600 in a 0700 folder, and recorded with its sha256. A body the
user chose (`call -o PATH`) is recorded by its absolute path and never moved, copied or deleted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path

from explorer.history.errors import HistoryError

_CHUNK = 1024 * 1024
log = logging.getLogger(__name__)


def store_bytes(bodies_dir: Path, entry_id: int, data: bytes) -> tuple[str, str]:
    """Write `data` as the body of `entry_id`; returns (name inside bodies/, sha256)."""
    bodies_dir.mkdir(mode=0o700, exist_ok=True)
    name = f"{entry_id}.txt"
    fd = os.open(bodies_dir / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return name, hashlib.sha256(data).hexdigest()


def adopt_file(bodies_dir: Path, entry_id: int, source: Path, sha256: str | None = None) -> tuple[str, str]:
    """Move the file the client saved into bodies/ (copy then remove across file systems)."""
    if not source.is_file():
        raise HistoryError(f"Body file {source} does not exist.")
    bodies_dir.mkdir(mode=0o700, exist_ok=True)
    name = f"{entry_id}{source.suffix or '.bin'}"
    target = bodies_dir / name
    try:
        os.replace(source, target)
    except OSError:
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
        return name, sha256 or sha256_file(target)
    except BaseException:
        give_back(target, source)
        raise


def give_back(stored: Path, source: Path | None) -> None:
    """Undo a body that was not recorded: the caller's file goes back (its outcome points there)."""
    try:
        if source is None:
            stored.unlink(missing_ok=True)  # our own copy of text the caller still has
        else:
            os.replace(stored, source)
    except OSError as error:
        log.warning("kept %s in the history's bodies folder: %s", stored, error)


def inside(folder: Path, name: str) -> bool:
    """Whether the recorded body name `name` is a plain file name inside `folder`."""
    if os.path.isabs(name) or not name:
        return False
    return Path(os.path.normpath(folder / name)).parent == Path(os.path.normpath(folder))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
