"""A session: one connection, the merged catalogue, and the history every call is recorded in.

The CLI and the TUI both call through here, so a call is made and recorded the same way everywhere:
written as pending when it is sent, completed when its outcome arrives (or when it is cancelled).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import paths
from .config import resolve_target
from .history import Entry, HistoryStore
from .protocol.catalog import Catalog
from .protocol.client import CallRequest, Connection, Timeouts
from .protocol.outcomes import Binary, DriverError, Exchange, Failure, Outcome, Result, Stream

ChunkCallback = Callable[[Any], None]


@dataclass
class Session:
    connection: Connection
    history: HistoryStore | None = None
    profile: str = "default"
    catalog: Catalog = field(default_factory=Catalog.bundled)
    demo: Any = None  # the DemoServer this session started, if any

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
    ) -> tuple[int | None, Outcome]:
        entry_id = None
        if self.history is not None:
            entry_id = await asyncio.to_thread(
                self.history.begin,
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
        try:
            outcome = await self.connection.call(request, on_chunk=on_chunk)
        except (OSError, ValueError, RuntimeError) as error:
            # The client turns what a server does into outcomes; this is what is left (a full disk,
            # a bad download folder): still one outcome, and still recorded.
            exchange = Exchange("POST", f"{self.origin}/drivers/call", {}, json.dumps(request.body()))
            outcome = Failure(exchange, "protocol", f"the call could not be completed here: {error}")
        except asyncio.CancelledError:
            if entry_id is not None:
                # Record the cancellation without being cancelled again ourselves.
                await asyncio.shield(asyncio.to_thread(
                    self.history.complete, entry_id, kind="failure", error_message="cancelled by the user",
                    summary="cancelled by the user",
                ))
            raise
        if entry_id is not None:
            await asyncio.to_thread(self._record, entry_id, outcome)
        return entry_id, outcome

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
            fields["body_file"] = outcome.path
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
        self.history.complete(entry_id, **fields)
        if "body_file" in fields:
            # The history now owns the file: point the outcome at where it lives.
            entry = self.history.get(entry_id)
            if entry is not None and entry.body_path:
                moved = Path(entry.body_path)
                if isinstance(outcome, Binary):
                    outcome.path, outcome.file_name = moved, moved.name
                elif isinstance(outcome, (Result, Stream, Failure)):
                    outcome.saved_path = moved

    # -- replay -----------------------------------------------------------------------------

    def entry(self, entry_id: int) -> Entry | None:
        return self.history.get(entry_id) if self.history is not None else None

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
        self, entry_id: int, *, args: Any = None, on_chunk: ChunkCallback | None = None
    ) -> tuple[int | None, Outcome]:
        entry = self.entry(entry_id)
        if entry is None:
            raise LookupError(f"no history entry {entry_id}")
        return await self.call(self.request_from_entry(entry, args), on_chunk=on_chunk, replay_of=entry_id)

    async def aclose(self) -> None:
        await self.connection.aclose()
        if self.history is not None:
            self.history.close()
        if self.demo is not None:
            await asyncio.to_thread(self.demo.stop)
            self.demo = None


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
        from .demo.server import DemoServer

        demo_server = DemoServer(generation=demo_generation)
        await asyncio.to_thread(demo_server.start)
        origin, token, profile_name = demo_server.origin, demo_server.token, "demo"
    else:
        target = resolve_target(origin=origin, token=token, profile=profile)
        origin, token, profile_name = target.origin, target.token, target.profile
        gui_origin = target.gui_origin
    history = None
    try:
        if record:
            path = history_path or paths.history_path()
            paths.private_dir(path.parent)
            history = HistoryStore(path)
        connection = Connection(
            origin, token, gui_origin, download_dir=paths.private_dir(paths.downloads_dir()), timeouts=timeouts
        )
    except BaseException:
        if demo_server is not None:
            demo_server.stop()
        raise
    return Session(connection=connection, history=history, profile=profile_name, demo=demo_server)
