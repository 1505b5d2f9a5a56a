"""One row of the history pane: a call made in this session, or an entry loaded from the history store.

A `Call` is what the history list and the outcome tabs show. A live call starts `pending` and gets its
outcome when the worker finishes; a stored call wraps a history `Entry` (and has no outcome object).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from ..protocol.request import CallRequest
from ..protocol.outcomes import Outcome, StreamTail

_keys = itertools.count(1)

KIND_LABELS = {
    "pending": "pending",
    "result": "result",
    "driver_error": "driver error",
    "binary": "binary",
    "stream": "stream",
    "failure": "failure",
}


@dataclass(eq=False)
class Call:
    key: str  # unique within the pane (an OptionList id)
    interface: str
    method: str
    service: str | None
    args: Any
    test_mode: bool = False
    request_body: str = ""  # the exact JSON text sent (or about to be sent)
    entry_id: int | None = None
    replay_of: int | None = None
    kind: str = "pending"
    status: int | None = None
    duration_ms: float | None = None
    size: int | None = None
    outcome: Outcome | None = None
    entry: Any = None  # a history Entry, for calls loaded from the store
    stream: StreamTail | None = None  # a stream being received: counts, the last chunks, the end of the text
    message: str = ""  # for a call that ended without an outcome object (cancelled)
    worker: Any = None

    @property
    def in_flight(self) -> bool:
        return self.kind == "pending" and self.worker is not None and not self.worker.is_finished

    @property
    def title(self) -> str:
        return f"{self.interface}.{self.method}"

    def request(self) -> CallRequest:
        return CallRequest(
            interface=self.interface,
            method=self.method,
            args=self.args,
            service=self.service,
            test_mode=self.test_mode,
        )

    def finish(self, entry_id: int | None, outcome: Outcome) -> None:
        self.entry_id = entry_id
        self.outcome = outcome
        self.kind = outcome.kind
        self.status = outcome.exchange.status
        self.duration_ms = outcome.exchange.duration_ms
        self.size = outcome.exchange.size
        if outcome.exchange.request_body:
            self.request_body = outcome.exchange.request_body

    def cancelled(self) -> None:
        self.kind = "failure"
        self.message = "cancelled"

    @classmethod
    def live(cls, request: CallRequest, request_body: dict[str, Any], replay_of: int | None = None) -> Call:
        return cls(
            key=f"call-{next(_keys)}",
            interface=request.interface,
            method=request.method,
            service=request.service,
            args=request.args,
            test_mode=request.test_mode,
            request_body=json.dumps(request_body, ensure_ascii=False),
            replay_of=replay_of,
        )

    @classmethod
    def from_entry(cls, entry: Any) -> Call:
        try:
            args = json.loads(entry.args_json) if entry.args_json else {}
        except (TypeError, ValueError):
            args = {}
        return cls(
            key=f"entry-{entry.id}",
            interface=entry.interface,
            method=entry.method,
            service=entry.service,
            args=args,
            test_mode=bool(entry.test_mode),
            request_body=entry.request_body or "",
            entry_id=entry.id,
            replay_of=entry.replay_of,
            kind=entry.kind or "pending",
            status=entry.status,
            duration_ms=entry.duration_ms,
            size=entry.size,
            entry=entry,
        )
