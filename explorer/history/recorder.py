"""Recording calls in the history without making an event loop wait for the disk.

A short write (a pending entry; an outcome with small text and no file to move) is made at once, on the
caller's thread, when the history is free: a WAL commit with `synchronous=NORMAL` takes tens of
microseconds. It never waits: when another thread or program holds the history, the write goes to the
queue instead. The queue is one writer thread, first in first out, which also takes what is slow by
nature (a large body, hashing or moving a file); the caller awaits it without blocking its loop. While
anything is queued, later writes queue behind it, so an entry's outcome never lands before the entry.

A write that fails costs the record, never the call: the caller gets the problem as one line, and the
next write tries again (nothing is switched off).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

from explorer.history.errors import HistoryBusy, describe_problem
from explorer.history.store import HistoryStore

T = TypeVar("T")
INLINE_TEXT = 16 * 1024  # characters of args or result text past which a write goes to the queue
BEGIN_WAIT_S = 1.0  # how long a call waits for a queued pending entry before it is sent anyway
log = logging.getLogger(__name__)


@dataclass
class Begun:
    """A pending entry: its id when it was written at once, else the queued write that gives it."""

    entry_id: int | None
    problem: str | None
    queued: Future[int] | None = None

    async def committed(self) -> None:
        """Before the request is sent: wait for a queued entry to be written, a second at most."""
        if self.queued is not None and not self.queued.done():
            await asyncio.wait({asyncio.wrap_future(self.queued)}, timeout=BEGIN_WAIT_S)

    async def written(self) -> tuple[int | None, str | None]:
        """(entry id, None), or (None, why the entry could not be written)."""
        if self.queued is not None:
            try:
                self.entry_id = await asyncio.wrap_future(self.queued)
            except Exception as error:  # noqa: BLE001 - any failure costs the record, not the call
                self.problem = describe_problem(error)
            self.queued = None
        return self.entry_id, self.problem


class HistoryRecorder:
    """Writes a session's calls into `store`: at once when it is free and the write small, else queued."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store
        self._queue: ThreadPoolExecutor | None = None
        self._last: Future[Any] | None = None  # the newest queued write: when it is done, all are

    def begin(self, fields: dict[str, Any], on_id: Callable[[int], None] = lambda _: None) -> Begun:
        """Write a pending entry (HistoryStore.begin's fields).

        Small and with the history free, it is committed when this returns. Otherwise (big args, the
        queue busy, the history taken) it is queued, and `Begun.committed()` waits for it before the
        request goes, a second at most: a history held longer by another program does not hold the call
        (`Begun.written()` waits for the entry then). `on_id` is told the entry's id as soon as it is
        written (on the writer thread when queued).
        """
        large = len(fields["args_json"]) + len(fields["request_body"]) > INLINE_TEXT

        def written(entry_id: int) -> int:
            on_id(entry_id)
            return entry_id

        if self._idle() and not large:
            try:
                return Begun(written(self.store.begin(**fields, wait=False)), None)
            except HistoryBusy:
                pass  # another thread or program writes: the queue waits for it
            except Exception as error:  # noqa: BLE001 - the call goes on without a record
                return Begun(None, describe_problem(error))
        return Begun(None, None, self._enqueue(lambda: written(self.store.begin(**fields))))

    async def complete(self, begun: Begun, fields: dict[str, Any]) -> tuple[Path | None, str | None]:
        """Record the outcome (HistoryStore.complete's fields); answers (where its body file now is, problem).

        When recording fails the entry is marked as a failure that says why, if the history allows it.
        """
        entry_id, problem = await begun.written()
        if entry_id is None:
            return None, problem
        if self._idle() and _small(fields):
            try:
                return _complete_or_mark(self.store, entry_id, fields, wait=False)
            except HistoryBusy:
                pass
        return await asyncio.wrap_future(
            self._enqueue(lambda: _complete_or_mark(self.store, entry_id, fields, wait=True))
        )

    def cancel(self, begun: Begun, reason: str) -> None:
        """Complete `begun` as a failure saying `reason`, on the queue (nobody waits for it; close does)."""
        fields = {"kind": "failure", "error_message": reason, "summary": reason}

        def write() -> None:
            entry_id = begun.entry_id if begun.queued is None else _queued_id(begun.queued)
            if entry_id is not None:
                _complete_or_mark(self.store, entry_id, fields, wait=True)

        self._enqueue(write)

    async def aclose(self, timeout: float) -> None:
        """Let queued writes finish (waiting at most `timeout` seconds), then stop the writer thread."""
        if self._queue is None:
            return
        if self._last is not None and not self._last.done():
            done, _ = await asyncio.wait({asyncio.wrap_future(self._last)}, timeout=timeout)
            if not done:
                log.warning("the history is still being written; the last writes may be missing")
        self._queue.shutdown(wait=False)
        self._queue = None

    def _idle(self) -> bool:
        return self._last is None or self._last.done()

    def _enqueue(self, write: Callable[[], T]) -> Future[T]:
        if self._queue is None:
            self._queue = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history-writer")
        self._last = future = self._queue.submit(write)
        return future


def _small(fields: dict[str, Any]) -> bool:
    """Whether an outcome can be written at once: no file to move or hash, little text to index."""
    if fields.get("body_file") is not None:
        return False
    if fields.get("external_body") is not None and fields.get("body_sha256") is None:
        return False
    return len(fields.get("result_text") or "") <= INLINE_TEXT


def _queued_id(queued: Future[int]) -> int | None:
    """The id a queued begin wrote (done by now: the queue runs in order), None when it failed."""
    try:
        return queued.result()
    except Exception:  # noqa: BLE001 - its caller was told when it awaited the entry
        return None


def _complete_or_mark(store: HistoryStore, entry_id: int, fields: dict[str, Any], *, wait: bool) -> tuple[Path | None, str | None]:
    try:
        return store.complete(entry_id, **fields, wait=wait), None
    except HistoryBusy:
        raise
    except Exception as error:  # noqa: BLE001 - whatever fails, the outcome is still the caller's
        problem = describe_problem(error)
    message = f"the outcome could not be recorded: {problem}"
    try:
        store.complete(entry_id, kind="failure", error_message=message, summary=message, wait=wait)
    except Exception as error:  # noqa: BLE001 - the entry stays pending, as after a crash
        log.warning("history entry %s stays pending: %s", entry_id, describe_problem(error))
    return None, problem
