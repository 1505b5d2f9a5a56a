"""What the history holds: an entry (one recorded call) and the filter that selects entries."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

# The five ways a call can end (the same words as the protocol package uses), plus 'pending'.
OUTCOME_KINDS: tuple[str, ...] = ("result", "driver_error", "binary", "stream", "failure")
PENDING = "pending"


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
    after_id: int | None = None  # entries newer than this one (what other programs recorded since)


COLUMNS = (
    "id, created_at, completed_at, origin, profile, interface, service, method, args_json, test_mode,"
    " request_body, status, response_headers, kind, error_code, error_message, duration_ms, size,"
    " result_inline, body_path, body_sha256, content_type, replay_of, summary"
)


def entry_from_row(row: tuple[Any, ...], bodies_dir: Path) -> Entry:
    """An entry from a row of `COLUMNS`; a body file name inside bodies/ becomes an absolute path."""
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
        body_path=str(bodies_dir / body_path) if body_path else None,  # an absolute one stays as it is
        body_sha256=body_sha256, body_external=bool(body_path) and os.path.isabs(body_path),
        content_type=content_type, replay_of=replay_of, summary=summary,
    )
