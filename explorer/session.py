"""A session: one connection, the merged catalogue, and the history every call is recorded in.

The CLI and the TUI both call through here, so a call is made and recorded the same way everywhere:
written as pending when it is sent, completed when its outcome arrives (or when it is cancelled).

The history never stands in the way of a call: a history that cannot be opened leaves the session
without one (`history_problem` says why), and a write that fails is reported through `on_warning`
while the call and its outcome go on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, TypeVar

from . import paths
from .config import resolve_target
from .history import Entry, EntryFilter, HistoryError, HistoryStore
from .protocol.catalog import Catalog
from .protocol.client import Connection
from .protocol.request import CallRequest, Timeouts
from .protocol.outcomes import Binary, DriverError, Exchange, Failure, Outcome, Result, Stream

ChunkCallback = Callable[[Any], None]
WarningCallback = Callable[[str], None]
T = TypeVar("T")

# Reasons a caller can give as `task.cancel(reason)`; they become the recorded failure message.
INTERRUPTED = "interrupted"
TERMINATED = "terminated"
CANCELLED = "cancelled by the user"
_CANCEL_REASONS = (INTERRUPTED, TERMINATED)

_CLOSE_WAIT_S = 15.0  # aclose waits this long at most for history writes still in flight

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())  # never Python's last-resort stderr handler: it would cut into the TUI


def describe_problem(error: BaseException) -> str:
    """One line for a person: what went wrong, without a traceback."""
    if isinstance(error, OSError) and error.strerror:
        text = f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    elif isinstance(error, (HistoryError, sqlite3.Error)):
        text = str(error) or type(error).__name__
    else:  # a fault of ours: its type says more than its message
        text = type(error).__name__ + (f": {error}" if str(error) else "")
    return " ".join(text.split())


def _cancel_reason(cancelled: asyncio.CancelledError) -> str:
    reason = cancelled.args[0] if cancelled.args else None
    return reason if reason in _CANCEL_REASONS else CANCELLED


def _log_warning(message: str) -> None:
    log.warning("%s", message)


def _tell(warn: WarningCallback, message: str) -> None:
    try:
        warn(message)
    except Exception:  # noqa: BLE001 - a warning that cannot be shown must not cost the outcome
        log.warning("%s", message, exc_info=True)


@dataclass
class Session:
    connection: Connection
    history: HistoryStore | None = None
    profile: str = "default"
    catalog: Catalog = field(default_factory=Catalog.bundled)
    demo: Any = None  # the DemoServer this session started, if any
    # Why the session has no history although one was asked for (one line, for a person).
    history_problem: str | None = None
    # Why responses are saved in a temporary folder instead of the usual one.
    download_problem: str | None = None
    _temporary_downloads: Path | None = field(default=None, repr=False)
    _in_flight: set[asyncio.Future[Any]] = field(default_factory=set, repr=False)

    @property
    def origin(self) -> str:
        return self.connection.api_origin

    async def discover(self) -> Catalog:
        self.catalog = await self.connection.discover()
        return self.catalog

    def request_preview(self, request: CallRequest) -> dict[str, Any]:
        return request.body()

    async def call(
        self,
        request: CallRequest,
        *,
        on_chunk: ChunkCallback | None = None,
        replay_of: int | None = None,
        on_warning: WarningCallback | None = None,
        binary_path: Path | None = None,
    ) -> tuple[int | None, Outcome]:
        """Send one call and record it; returns (entry id, outcome).

        A binary answer is written once, to `binary_path` when given (as `curl -o` does), and the
        history records it there rather than keeping a copy.

        The entry id is None when the history does not hold this outcome: the session has no history,
        or writing to it failed. A failed write never stops the call or loses its outcome: `on_warning`
        gets one line saying so (e.g. "not recorded in the history: database is locked"), and an entry
        that was begun is marked as a failure when the history still allows it.
        Only cancellation propagates; the entry is then completed as cancelled, whatever the moment.
        """
        warn = on_warning or _log_warning
        entry_id = await self._begin(request, replay_of, warn)
        try:
            outcome = await self.connection.call(request, on_chunk=on_chunk, binary_path=binary_path)
        except (OSError, ValueError, RuntimeError) as error:
            # The client turns what a server does into outcomes; this is what is left (a full disk,
            # a bad download folder): still one outcome, and still recorded.
            exchange = Exchange("POST", f"{self.origin}/drivers/call", {}, json.dumps(request.body()))
            outcome = Failure(exchange, "protocol", f"the call could not be completed here: {error}")
        except asyncio.CancelledError as cancelled:
            if entry_id is not None:
                # Recorded even if we are cancelled again meanwhile (aclose waits for it).
                await asyncio.shield(self._in_thread(self._complete_cancelled, entry_id, _cancel_reason(cancelled)))
            raise
        if entry_id is not None:
            problem = await asyncio.shield(self._in_thread(self._record_or_mark, entry_id, outcome))
            if problem is not None:
                _tell(warn, f"not recorded in the history: {problem}")
                entry_id = None
        return entry_id, outcome

    async def _begin(self, request: CallRequest, replay_of: int | None, warn: WarningCallback) -> int | None:
        """The pending entry for a call about to be sent, or None (and a warning) when it cannot be written."""
        if self.history is None:
            return None
        fields = dict(
            origin=self.origin,
            profile=self.profile,
            interface=request.interface,
            service=request.service or "",
            method=request.method,
            args_json=json.dumps(request.args, ensure_ascii=False),
            test_mode=request.test_mode,
            request_body=json.dumps(request.body(), ensure_ascii=False),
            replay_of=replay_of,
        )
        job = self._in_thread(self._begin_row, fields)
        try:
            entry_id, problem = await asyncio.shield(job)
        except asyncio.CancelledError as cancelled:
            # The thread inserts the row all the same: once it has, complete it as cancelled.
            await self._shielded(self._cancel_begun(job, _cancel_reason(cancelled)))
            raise
        if problem is not None:
            _tell(warn, f"not recorded in the history: {problem}")
        return entry_id

    def _begin_row(self, fields: dict[str, Any]) -> tuple[int | None, str | None]:
        assert self.history is not None
        try:
            return self.history.begin(**fields), None
        except Exception as error:  # noqa: BLE001 - whatever fails here, the call is still made
            log.debug("begin failed", exc_info=True)
            return None, describe_problem(error)

    async def _cancel_begun(self, job: Awaitable[tuple[int | None, str | None]], reason: str) -> None:
        entry_id, _problem = await job
        if entry_id is not None:
            await self._in_thread(self._complete_cancelled, entry_id, reason)

    def _complete_cancelled(self, entry_id: int, reason: str) -> None:
        assert self.history is not None
        try:
            self.history.complete(entry_id, kind="failure", error_message=reason, summary=reason)
        except Exception as error:  # noqa: BLE001 - runs unawaited after a cancellation: must not raise
            log.warning("history entry %s stays pending: %s", entry_id, describe_problem(error))

    def _record_or_mark(self, entry_id: int, outcome: Outcome) -> str | None:
        """Record the outcome; on failure mark the entry as not recorded (if possible) and return why."""
        assert self.history is not None
        try:
            self._record(entry_id, outcome)
            return None
        except Exception as error:  # noqa: BLE001 - whatever fails here, the outcome is still returned
            log.debug("recording failed", exc_info=True)
            problem = describe_problem(error)
        message = f"the outcome could not be recorded: {problem}"
        try:
            self.history.complete(entry_id, kind="failure", error_message=message, summary=message)
        except Exception:  # noqa: BLE001 - the history refuses every write: the entry stays pending, as after a crash
            pass
        return problem

    def _track(self, awaitable: Awaitable[T]) -> asyncio.Future[T]:
        """Run `awaitable` as a task that aclose waits for, whatever happens to its caller."""
        return self._tracked(asyncio.ensure_future(awaitable))

    def _in_thread(self, function: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """`function(*args)` on a worker thread, as a future that aclose waits for.

        One hop to a thread and back per history write, with no task around it (a call makes two).
        Await it shielded: cancelling this future before the thread has started would drop the write.
        """
        return self._tracked(asyncio.get_running_loop().run_in_executor(None, function, *args))

    def _tracked(self, future: asyncio.Future[T]) -> asyncio.Future[T]:
        self._in_flight.add(future)
        future.add_done_callback(self._in_flight.discard)
        # Nobody may await it after a second cancellation: retrieve its outcome so none is "never retrieved".
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        return future

    async def _shielded(self, awaitable: Awaitable[T]) -> T:
        """Await `awaitable` to its end; if we are cancelled meanwhile it still runs to its end."""
        return await asyncio.shield(self._track(awaitable))

    def _record(self, entry_id: int, outcome: Outcome) -> None:
        """Complete a history entry from an outcome; files the client saved move into the history."""
        assert self.history is not None
        exchange = outcome.exchange
        fields: dict[str, Any] = dict(
            kind=outcome.kind,
            status=exchange.status,
            response_headers=exchange.response_headers,
            duration_ms=round(exchange.duration_ms, 3),
            size=exchange.size,
            content_type=exchange.content_type or None,
            summary=outcome.summary,
        )
        if isinstance(outcome, Result):
            if outcome.saved_path is not None:
                fields["body_file"] = outcome.saved_path
            else:
                fields["result_text"] = json.dumps(outcome.value, indent=2, ensure_ascii=False)
        elif isinstance(outcome, DriverError):
            fields.update(error_code=outcome.code, error_message=outcome.message)
            fields["result_text"] = json.dumps(outcome.body, indent=2, ensure_ascii=False)
        elif isinstance(outcome, Binary):
            # Hashed while it was written: the history need not read it again.
            fields["body_sha256"] = outcome.sha256
            fields["external_body" if outcome.external else "body_file"] = outcome.path
        elif isinstance(outcome, Stream):
            if outcome.error:
                fields["error_message"] = outcome.error
            # The raw ndjson is the body; the assembled text is what a search should find.
            fields["result_text"] = outcome.text
            if outcome.saved_path is not None:
                fields["body_file"] = outcome.saved_path
        elif isinstance(outcome, Failure):
            fields.update(error_code=outcome.failure, error_message=outcome.message)
            if outcome.saved_path is not None:
                fields["body_file"] = outcome.saved_path
            elif exchange.body_head:
                fields["result_text"] = exchange.body_head.decode("utf-8", "replace")
        moved = self.history.complete(entry_id, **fields)
        if "body_file" in fields and moved is not None:  # an external body stays where it is
            # The history now owns the file: point the outcome at where it lives.
            if isinstance(outcome, Binary):
                outcome.path, outcome.file_name = moved, moved.name
            elif isinstance(outcome, (Result, Stream, Failure)):
                outcome.saved_path = moved

    # -- replay -----------------------------------------------------------------------------

    def entry(self, entry_id: int) -> Entry | None:
        return self.history.get(entry_id) if self.history is not None else None

    # -- reading the history (blocking: a UI calls these from a thread) ---------------------------

    def entries(self, *, limit: int, before_id: int | None = None, filter: EntryFilter | None = None) -> list[Entry]:
        """A page of past entries, newest first; none without a history."""
        if self.history is None:
            return []
        return self.history.list(limit=limit, before_id=before_id, filter=filter)

    def entry_value(self, entry_id: int) -> Any:
        """What a recorded call gave back, as comparable data. LookupError when it is not recorded."""
        entry = self.entry(entry_id)
        if entry is None:
            raise LookupError(f"history entry #{entry_id} is not in the history")
        from .history.values import result_value

        return result_value(self.history, entry)

    @staticmethod
    def request_from_entry(entry: Entry, args: Any = None) -> CallRequest:
        return CallRequest(
            interface=entry.interface,
            method=entry.method,
            args=entry.args if args is None else args,
            service=entry.service or None,
            test_mode=entry.test_mode,
        )

    async def replay(
        self,
        entry_id: int,
        *,
        args: Any = None,
        on_chunk: ChunkCallback | None = None,
        on_warning: WarningCallback | None = None,
    ) -> tuple[int | None, Outcome]:
        """Send a recorded call again, as `call` does (same return value and warnings)."""
        entry = self.entry(entry_id)
        if entry is None:
            why = f" (the history could not be opened: {self.history_problem})" if self.history_problem else ""
            raise LookupError(f"no history entry {entry_id}{why}")
        return await self.call(
            self.request_from_entry(entry, args), on_chunk=on_chunk, replay_of=entry_id, on_warning=on_warning
        )

    async def aclose(self) -> None:
        if self._in_flight:
            # History writes of cancelled calls: let them finish before the store closes (bounded).
            await asyncio.wait(set(self._in_flight), timeout=_CLOSE_WAIT_S)
        await self.connection.aclose()
        if self.history is not None:
            self.history.close()
        if self.demo is not None:
            await asyncio.to_thread(self.demo.stop)
            self.demo = None
        if self._temporary_downloads is not None:
            try:
                self._temporary_downloads.rmdir()  # only when empty: a saved file may have been printed
            except OSError:
                pass


async def open_session(
    *,
    demo: bool = False,
    demo_generation: str = "v2",
    origin: str | None = None,
    token: str | None = None,
    profile: str | None = None,
    history_path: Path | None = None,
    record: bool = True,
    timeouts: Timeouts | None = None,
) -> Session:
    """A ready session: with `demo`, the built-in demo server is started on a free loopback port first."""
    demo_server = None
    gui_origin = None
    if demo:
        # Imported and started in a thread: a screen on this loop keeps drawing meanwhile.
        demo_server = await asyncio.to_thread(_start_demo, demo_generation)
        origin, token, profile_name = demo_server.origin, demo_server.token, "demo"
    else:
        target = resolve_target(origin=origin, token=token, profile=profile)
        origin, token, profile_name = target.origin, target.token, target.profile
        gui_origin = target.gui_origin
    history, history_problem = None, None
    try:
        if record:
            # In a thread: a locked database waits for its busy timeout.
            history, history_problem = await asyncio.to_thread(_open_history, history_path or paths.history_path())
        download_dir, download_problem = _download_dir()
        # In a thread: the HTTP client loads its TLS certificates (tens of ms) without holding the loop.
        connection = await asyncio.to_thread(
            Connection, origin, token, gui_origin, download_dir=download_dir, timeouts=timeouts
        )
    except BaseException:
        if history is not None:
            history.close()
        if demo_server is not None:
            demo_server.stop()
        raise
    return Session(
        connection=connection, history=history, profile=profile_name, demo=demo_server,
        history_problem=history_problem, download_problem=download_problem,
        _temporary_downloads=download_dir if download_problem else None,
    )


def _start_demo(generation: str) -> Any:
    from .demo.server import DemoServer

    return DemoServer(generation=generation).start()


def _open_history(path: Path) -> tuple[HistoryStore | None, str | None]:
    """The history store, or None and why it cannot be used (a file in the way, read-only, locked, full)."""
    try:
        return HistoryStore(path), None
    except Exception as error:  # noqa: BLE001 - whatever the reason, calls are made without a history
        return None, describe_problem(error)


def _download_dir() -> tuple[Path, str | None]:
    """The responses folder, or a private temporary one and why the usual one cannot be used."""
    wanted = paths.downloads_dir()
    try:
        paths.private_dir(wanted)
        if os.access(wanted, os.W_OK | os.X_OK):
            return wanted, None
        problem = f"cannot write to {wanted}"
    except OSError as error:
        problem = describe_problem(error)
    fallback = paths.private_temp_dir("responses")
    return fallback, f"responses are saved in {fallback} ({problem})"
