"""What the history records of an outcome: the bridge between the protocol's outcomes and the store's fields.

The history knows nothing of the protocol; the session turns each outcome into the plain values that
`HistoryStore.complete` takes. The token is never among them: every text is passed through the connection's
`redact`, since a server may quote the token back (in an error message, a result, a header).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Callable

from .protocol.outcomes import Binary, DriverError, Failure, Outcome, Result, Stream


def moves_a_file(outcome: Outcome) -> bool:
    """Whether recording `outcome` moves a file it points to into the history."""
    if isinstance(outcome, Binary):
        return not outcome.external
    return isinstance(outcome, (Result, Stream, Failure)) and outcome.saved_path is not None


def point_to(outcome: Outcome, moved: Path) -> None:
    """The history now owns the outcome's file, at `moved`."""
    if isinstance(outcome, Binary):
        outcome.path, outcome.file_name = moved, moved.name
    elif isinstance(outcome, (Result, Stream, Failure)):
        outcome.saved_path = moved


LARGE_OUTCOME = 64 * 1024  # bytes of body past which its fields are built in a thread


async def completion_fields(outcome: Outcome, redact: Callable[[str], str]) -> dict[str, Any]:
    """What the history records of an outcome (HistoryStore.complete's fields), each text through `redact`;
    a large one is built in a thread."""
    if (outcome.exchange.size or 0) > LARGE_OUTCOME and isinstance(outcome, (Result, DriverError, Stream)):
        return await asyncio.to_thread(_redacted_fields, outcome, redact)
    return _redacted_fields(outcome, redact)


def _redacted_fields(outcome: Outcome, redact: Callable[[str], str]) -> dict[str, Any]:
    fields = _fields_of(outcome)
    for name, value in fields.items():
        if isinstance(value, str):
            fields[name] = redact(value)
    fields["response_headers"] = [(key, redact(value)) for key, value in fields["response_headers"]]
    return fields


def _fields_of(outcome: Outcome) -> dict[str, Any]:
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
            fields["body_file"] = str(outcome.saved_path)
        else:
            fields["result_text"] = json.dumps(outcome.value, indent=2, ensure_ascii=False)
    elif isinstance(outcome, DriverError):
        fields.update(error_code=outcome.code, error_message=outcome.message)
        fields["result_text"] = json.dumps(outcome.body, indent=2, ensure_ascii=False)
    elif isinstance(outcome, Binary):
        # Hashed while it was written: the history need not read it again.
        fields["body_sha256"] = outcome.sha256
        fields["external_body" if outcome.external else "body_file"] = str(outcome.path)
    elif isinstance(outcome, Stream):
        if outcome.error:
            fields["error_message"] = outcome.error
        # The raw ndjson is the body; the assembled text is what a search should find.
        fields["result_text"] = outcome.text
        if outcome.saved_path is not None:
            fields["body_file"] = str(outcome.saved_path)
    elif isinstance(outcome, Failure):
        fields.update(error_code=outcome.failure, error_message=outcome.message)
        if outcome.saved_path is not None:
            fields["body_file"] = str(outcome.saved_path)
        elif exchange.body_head:
            fields["result_text"] = exchange.body_head.decode("utf-8", "replace")
    return fields
