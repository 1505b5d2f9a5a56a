"""What a driver call can end in: exactly one of five outcome kinds.

Every outcome carries the `Exchange` (what was sent, what came back) so that the UI, the CLI and the
history can show the request, the headers and the raw head of the body without touching HTTP.
"""

from __future__ import annotations

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
    kind: OutcomeKind = field(default="binary", init=False)

    @property
    def summary(self) -> str:
        return f"{self.content_type or 'binary'}, {self.size} bytes, saved to {self.path}"


@dataclass
class Stream:
    """An `application/x-ndjson` answer: chunks as they arrived and the text they assemble."""

    exchange: Exchange
    chunks: list[Any] = field(default_factory=list)  # decoded lines (a line that is not JSON stays a str)
    text: str = ""  # the `text` of every `{"type":"text"}` chunk, in order
    error: str | None = None  # an in-band `{"type":"error"}` line, or a cut connection
    complete: bool = True
    saved_path: Path | None = None  # the raw ndjson as received
    kind: OutcomeKind = field(default="stream", init=False)

    @property
    def summary(self) -> str:
        state = "complete" if self.complete and not self.error else f"incomplete: {self.error}"
        return f"stream of {len(self.chunks)} chunks ({state})"


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
