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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import paths
from .config import ProfileStore, resolve_target
from .history import Entry, EntryFilter, HistoryStore
from .history.errors import describe_problem
from .history.recorder import HistoryRecorder
from .outcome_fields import completion_fields, moves_a_file, point_to
from .protocol.catalog import Catalog
from .protocol.client import Connection
from .protocol.outcomes import Exchange, Failure, Outcome
from .protocol.request import CallRequest, Timeouts
from .replays import same_origin, token_for

ChunkCallback = Callable[[Any], None]
WarningCallback = Callable[[str], None]

# Reasons a caller can give as `task.cancel(reason)`; they become the recorded failure message.
INTERRUPTED = "interrupted"
TERMINATED = "terminated"
CANCELLED = "cancelled by the user"
_CANCEL_REASONS = (INTERRUPTED, TERMINATED)

_CLOSE_WAIT_S = 15.0  # aclose waits this long at most for history writes still queued

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())  # never Python's last-resort stderr handler: it would cut into the TUI


def _cancel_reason(cancelled: asyncio.CancelledError) -> str:
    reason = cancelled.args[0] if cancelled.args else None
    return reason if reason in _CANCEL_REASONS else CANCELLED


async def _send(
    connection: Connection, request: CallRequest, on_chunk: ChunkCallback | None, binary_path: Path | None
) -> Outcome:
    try:
        return await connection.call(request, on_chunk=on_chunk, binary_path=binary_path)
    except (OSError, ValueError, RuntimeError) as error:
        # The client turns what a server does into outcomes; this is what is left (a full disk,
        # a bad download folder): still one outcome, and still recorded.
        exchange = Exchange("POST", f"{connection.api_origin}/drivers/call", {}, json.dumps(request.body()))
        return Failure(exchange, "protocol", f"the call could not be completed here: {error}")


def _pending_fields(origin: str, profile: str, request: CallRequest, replay_of: int | None) -> dict[str, Any]:
    return dict(
        origin=origin,
        profile=profile,
        interface=request.interface,
        service=request.service or "",
        method=request.method,
        args_json=json.dumps(request.args, ensure_ascii=False),
        test_mode=request.test_mode,
        request_body=json.dumps(request.body(), ensure_ascii=False),
        replay_of=replay_of,
    )


def request_section(entry: Entry) -> dict[str, Any]:
    """What a recorded call sent, as a diff compares it (the interface too: calls of two interfaces differ)."""
    return {"interface": entry.interface, "service": entry.service or None, "method": entry.method,
            "args": entry.args, "test_mode": entry.test_mode}


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
    # The profiles a replay elsewhere takes its token from (None: the profiles file, read when needed).
    profiles: ProfileStore | None = None
    _recorder: HistoryRecorder | None = field(default=None, init=False, repr=False)
    # The history entries this session began: the others in the store were recorded by other programs.
    recorded_here: set[int] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.history is not None:
            self._recorder = HistoryRecorder(self.history)

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

        The pending entry is committed before the request is sent, so a killed process leaves it in the
        history as pending. Only when another program holds the history for over a second does the
        request go out first, the entry being written as soon as the history is free. The outcome is recorded
        when it arrives; a large body, or a file to move, is written by the history's writer thread.

        The entry id is None when the history has no entry for this call: the session has no history,
        or writing to it failed. A failed write never stops the call or loses its outcome: `on_warning`
        gets one line saying so (e.g. "not recorded in the history: disk I/O error"), and an entry
        that was begun is marked as a failure when the history still allows it.
        Only cancellation propagates; the entry is then completed as cancelled, whatever the moment.
        """
        return await self._record(self.connection, self.profile, request, on_chunk=on_chunk, replay_of=replay_of,
                                  on_warning=on_warning, binary_path=binary_path)

    async def _record(
        self,
        connection: Connection,
        profile: str,
        request: CallRequest,
        *,
        on_chunk: ChunkCallback | None,
        replay_of: int | None,
        on_warning: WarningCallback | None,
        binary_path: Path | None = None,
    ) -> tuple[int | None, Outcome]:
        warn = on_warning or _log_warning
        recorder = self._recorder
        if recorder is None:
            return None, await _send(connection, request, on_chunk, binary_path)
        begun = recorder.begin(_pending_fields(connection.api_origin, profile, request, replay_of),
                               on_id=self.recorded_here.add)
        try:
            await begun.committed()
            outcome = await _send(connection, request, on_chunk, binary_path)
            fields = await completion_fields(outcome, connection.redact)
            moved, problem = await recorder.complete(begun, fields)
        except asyncio.CancelledError as cancelled:
            recorder.cancel(begun, _cancel_reason(cancelled))  # queued after the pending entry
            raise
        if problem is not None:
            _tell(warn, f"not recorded in the history: {problem}")
            return None, outcome
        if moved is not None and moves_a_file(outcome):
            point_to(outcome, moved)  # the history keeps the file from now on
        return begun.entry_id, outcome

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

    def entry_call(self, entry_id: int) -> dict[str, Any]:
        """A recorded call as the two sections a diff compares: what was sent and what came back."""
        entry = self.entry(entry_id)
        if entry is None:
            raise LookupError(f"history entry #{entry_id} is not in the history")
        return {"request": request_section(entry), "answer": self.entry_value(entry_id)}

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
        origin: str | None = None,
        on_chunk: ChunkCallback | None = None,
        on_warning: WarningCallback | None = None,
        binary_path: Path | None = None,
        token: str | None = None,
    ) -> tuple[int | None, Outcome]:
        """Send a recorded call again, as `call` does (same return value and warnings).

        It goes to the origin it was made on unless `origin` says otherwise; an origin other than this
        session's gets a connection of its own, with `token` if given (the user's own), else the token kept
        for that origin (see `replays.token_for`).
        """
        entry = self.entry(entry_id)
        if entry is None:
            why = f" (the history could not be opened: {self.history_problem})" if self.history_problem else ""
            raise LookupError(f"no history entry {entry_id}{why}")
        request = self.request_from_entry(entry, args)
        target = origin or entry.origin
        if same_origin(target, self.origin):
            return await self._record(self.connection, self.profile, request, on_chunk=on_chunk,
                                      replay_of=entry_id, on_warning=on_warning, binary_path=binary_path)
        kept, profile = await asyncio.to_thread(token_for, target, entry.profile, self.profiles)
        token = token or kept
        connection = await asyncio.to_thread(
            Connection, target, token, download_dir=self.connection.download_dir, timeouts=self.connection.timeouts
        )
        try:
            return await self._record(connection, profile, request, on_chunk=on_chunk, replay_of=entry_id,
                                      on_warning=on_warning, binary_path=binary_path)
        finally:
            await connection.aclose()

    async def models(self, interface: str, service: str | None) -> Any:
        """The models the server lists for `interface` (a `model_lists.ModelList`), asked of `service` by the
        interface's listing methods that the catalogue has, in turn. Not recorded: a list is not a user's call."""
        from .model_lists import MODEL_LISTS, ModelList, models_from_answer
        from .protocol.outcomes import Result

        methods = [m for m in MODEL_LISTS.get(interface, ()) if self.catalog.method(interface, m) is not None]
        listed = ModelList(problem="this server has no model list for the interface")
        for method in methods:
            listed.asked += 1
            outcome = await self.connection.call(CallRequest(interface, method, {}, service=service))
            if not isinstance(outcome, Result):
                listed.problem = f"{method}: {outcome.summary}"
            elif found := models_from_answer(outcome.value):
                listed.choices, listed.problem = found, None
                break
            else:
                listed.problem = f"{method} answered no model names"
        return listed

    async def aclose(self) -> None:
        await self.connection.aclose()
        if self._recorder is not None:
            # What is queued (large outcomes, cancelled calls) is written first (bounded).
            await self._recorder.aclose(_CLOSE_WAIT_S)
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
    profiles: ProfileStore | None = None,
) -> Session:
    """A ready session: with `demo`, the built-in demo server is started on a free loopback port first.
    `profiles` is the profile store to use (default: the profiles file, which must then be readable)."""
    demo_server = None
    gui_origin = None
    if demo:
        # Imported and started in a thread: a screen on this loop keeps drawing meanwhile.
        demo_server = await asyncio.to_thread(_start_demo, demo_generation)
        origin, token, profile_name = demo_server.origin, demo_server.token, "demo"
    else:
        target = resolve_target(origin=origin, token=token, profile=profile, store=profiles)
        origin, token, profile_name = target.origin, target.token, target.profile
        gui_origin = target.gui_origin
    history, history_problem = None, None
    try:
        if record:
            # In a thread: a locked database waits for its busy timeout.
            history, history_problem = await asyncio.to_thread(_open_history, history_path or paths.history_path())
        download_dir, download_problem = _download_dir()
        # In a thread: for an https origin the HTTP client loads its CA certificates (tens of ms).
        connection = await asyncio.to_thread(
            Connection, origin, token, gui_origin, download_dir=download_dir, timeouts=timeouts
        )
    except BaseException:
        if history is not None:
            history.close()
        if demo_server is not None:
            demo_server.stop()
        raise
    session = Session(
        connection=connection, history=history, profile=profile_name, demo=demo_server,
        history_problem=history_problem, download_problem=download_problem,
        _temporary_downloads=download_dir if download_problem else None, profiles=profiles,
    )
    return session


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
