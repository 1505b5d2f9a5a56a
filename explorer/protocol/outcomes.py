"""What a driver call can end in: exactly one of five outcome kinds.

Every outcome carries the `Exchange` (what was sent, what came back) so that the UI, the CLI and the
history can show the request, the headers and the raw head of the body without touching HTTP.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

OutcomeKind = Literal["result", "driver_error", "binary", "stream", "failure"]
OUTCOME_KINDS: tuple[str, ...] = ("result", "driver_error", "binary", "stream", "failure")

FailureKind = Literal[
    "connect",  # could not reach the server (DNS, refused, reset before an answer)
    "timeout",  # no answer (or no progress) within the configured time
    "tls",  # certificate or handshake problem
    "protocol",  # the server answered something that is not HTTP or not what the status promises
    "http",  # an HTTP error status without a driver error envelope (HTML, plain text, ...)
    "redirect",  # a redirect, which a driver call never follows (it could leak the token)
    "too_large",  # the body went past a size limit before it could be handled
    "cancelled",  # the user cancelled the call
    "usage",  # the request could not be built (not sent)
]

# Error codes that mean the same thing across the two server generations (protocol doc, rule 6).
NORMALISED_CODES: dict[str, str] = {
    "interface_not_found": "not_found",
    "method_not_found": "not_found",
    "no_implementation_available": "not_found",
    "missing_required_argument": "bad_request",
    "argument_consolidation_failed": "bad_request",
    "field_invalid": "bad_request",
    "rate_limit_exceeded": "too_many_requests",
}


def normalise_code(code: str | None) -> str | None:
    if code is None:
        return None
    return NORMALISED_CODES.get(code, code)


@dataclass
class Exchange:
    """One HTTP exchange as the user may inspect it. The token is never in here."""

    http_method: str
    url: str
    request_headers: dict[str, str]  # Authorization redacted
    request_body: str  # the exact JSON text sent (auth_token never included)
    status: int | None = None
    reason: str = ""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    duration_ms: float = 0.0
    size: int = 0  # bytes of response body received (after decoding)
    body_head: bytes = b""  # the first bytes of the response body, for the Raw view

    @property
    def content_type(self) -> str:
        for name, value in self.response_headers:
            if name.lower() == "content-type":
                return value
        return ""


@dataclass
class Result:
    """A successful call with a JSON answer."""

    exchange: Exchange
    value: Any = None
    service_name: str | None = None
    service_version: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    enveloped: bool = True  # False for a bare JSON answer (v1 type_fallback, bare strings)
    saved_path: Path | None = None  # set when the body was too large to parse; value is then None
    kind: OutcomeKind = field(default="result", init=False)

    @property
    def summary(self) -> str:
        if self.saved_path is not None:
            return f"JSON too large to show ({self.exchange.size} bytes), saved to {self.saved_path}"
        return f"result from {self.service_name or 'server'}"


@dataclass
class DriverError:
    """The server understood the call and refused it, in a driver error envelope of either generation."""

    exchange: Exchange
    code: str | None
    message: str
    status: int  # the HTTP status (200 for a v1 envelope)
    nominal_status: int | None = None  # the status the error says it stands for (v1 `error.status`)
    normalised_code: str | None = None
    body: Any = None  # the decoded body as it came
    extra: dict[str, Any] = field(default_factory=dict)
    kind: OutcomeKind = field(default="driver_error", init=False)

    @property
    def retryable(self) -> bool:
        return self.normalised_code == "too_many_requests" or 429 in (self.status, self.nominal_status)

    @property
    def summary(self) -> str:
        return f"{self.code or 'error'}: {self.message}"


@dataclass
class Binary:
    """A non-JSON body, streamed to a file and never held whole in memory."""

    exchange: Exchange
    path: Path
    content_type: str
    size: int
    sha256: str
    file_name: str  # our own safe name (a server-suggested name is reduced to a base name)
    head: bytes = b""  # the first bytes, for a hex view
    external: bool = False  # written to the path the caller chose: not ours to move or delete
    kind: OutcomeKind = field(default="binary", init=False)

    @property
    def summary(self) -> str:
        return f"{self.content_type or 'binary'}, {self.size} bytes, saved to {self.path}"


STREAM_TEXT_TAIL = 1024 * 1024  # characters of assembled text kept in memory (the end of it)
STREAM_CHUNK_TAIL = 500  # decoded chunks kept in memory (the last ones); all are in the body file


class StreamTail:
    """What a stream assembles, in bounded memory: counts of everything, the last chunks, the end of the text.

    Adding a chunk costs O(its size), whatever came before it, so a stream of any length is O(n) in all.
    """

    def __init__(self, text_limit: int = STREAM_TEXT_TAIL, chunk_limit: int = STREAM_CHUNK_TAIL) -> None:
        self.text_limit = text_limit
        self.chunks: deque[Any] = deque(maxlen=chunk_limit)
        self.chunk_count = 0
        self.text_chars = 0  # characters of text assembled in all, kept or not
        self.error: str | None = None  # the last in-band `{"type": "error"}` message
        self._pieces: deque[str] = deque()
        self._kept = 0  # characters in _pieces

    def add(self, chunk: Any) -> str:
        """Take one decoded chunk; returns the text it adds (empty for a chunk that is not text)."""
        self.chunks.append(chunk)
        self.chunk_count += 1
        if not isinstance(chunk, dict):
            return ""
        if chunk.get("type") == "error":
            self.error = str(chunk.get("message") or chunk)
            return ""
        text = chunk.get("text") if chunk.get("type") == "text" else None
        if not isinstance(text, str) or not text:
            return ""
        self.text_chars += len(text)
        self._pieces.append(text)
        self._kept += len(text)
        while self._kept - len(self._pieces[0]) >= self.text_limit:
            self._kept -= len(self._pieces.popleft())
        return text

    def text_after(self, position: int) -> str | None:
        """The text from character `position` of the whole stream on; None when that part is no longer kept."""
        wanted = self.text_chars - position
        if wanted <= 0:
            return ""
        if wanted > self._kept:
            return None
        parts: list[str] = []
        got = 0
        for piece in reversed(self._pieces):  # only the pieces that hold the wanted end
            parts.append(piece)
            got += len(piece)
            if got >= wanted:
                break
        joined = "".join(reversed(parts))
        return joined[len(joined) - wanted :]

    @property
    def text(self) -> str:
        """The end of the assembled text: at most `text_limit` characters."""
        joined = "".join(self._pieces)
        return joined[-self.text_limit :] if len(joined) > self.text_limit else joined


@dataclass
class Stream:
    """An `application/x-ndjson` answer. Memory keeps a bounded tail; the whole body is in `saved_path`."""

    exchange: Exchange
    chunks: list[Any] = field(default_factory=list)  # the last chunks (at most STREAM_CHUNK_TAIL), decoded
    text: str = ""  # the `text` of the `{"type":"text"}` chunks, in order: the end of it when truncated
    error: str | None = None  # an in-band `{"type":"error"}` line, or a cut connection
    complete: bool = True
    saved_path: Path | None = None  # the raw ndjson as received
    chunk_count: int = -1  # chunks received in all; -1 means len(chunks)
    text_chars: int = -1  # characters of text assembled in all; -1 means len(text)
    kind: OutcomeKind = field(default="stream", init=False)

    def __post_init__(self) -> None:
        if self.chunk_count < 0:
            self.chunk_count = len(self.chunks)
        if self.text_chars < 0:
            self.text_chars = len(self.text)

    @property
    def text_truncated(self) -> bool:
        """Only the end of the text is in `text` (the whole stream is in the body file)."""
        return self.text_chars > len(self.text)

    @property
    def summary(self) -> str:
        state = "complete" if self.complete and not self.error else f"incomplete: {self.error}"
        cut = f", text cut to its last {len(self.text)} of {self.text_chars} characters" if self.text_truncated else ""
        return f"stream of {self.chunk_count} chunks ({state}{cut})"


@dataclass
class Failure:
    """The call did not produce a driver answer: transport, timeout, garbage, bare HTTP error."""

    exchange: Exchange
    failure: FailureKind
    message: str  # for a person; never contains the token
    saved_path: Path | None = None  # the body, when one arrived and was kept
    kind: OutcomeKind = field(default="failure", init=False)

    @property
    def summary(self) -> str:
        return self.message


Outcome = Union[Result, DriverError, Binary, Stream, Failure]
