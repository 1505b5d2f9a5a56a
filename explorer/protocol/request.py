"""What a driver call sends, and the time and size limits it runs under.

Plain data only: the user interface builds requests at start-up, so nothing here may import the HTTP
stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .outcomes import STREAM_CHUNK_TAIL, STREAM_TEXT_TAIL

__all__ = ["CallRequest", "Limits", "Timeouts"]


@dataclass
class Timeouts:
    connect: float = 10.0
    read: float = 60.0  # waiting for the answer, and between two reads of a normal body
    write: float = 30.0
    pool: float = 10.0
    stream_read: float = 300.0  # between two chunks of an ndjson stream
    total: float | None = None  # the whole call; None means no overall limit


@dataclass
class Limits:
    max_json_bytes: int = 8 * 1024 * 1024  # larger JSON bodies are saved to a file, not parsed
    max_body_bytes: int = 1024 * 1024 * 1024  # any body: past this the call fails as too_large
    max_inflated_bytes: int = 256 * 1024 * 1024  # a compressed body, once inflated (a gzip bomb is 1000:1)
    max_error_bytes: int = 1024 * 1024  # an error body (HTML, text) is read up to this
    max_line_bytes: int = 8 * 1024 * 1024  # one ndjson line
    max_stream_bytes: int = 64 * 1024 * 1024  # a whole ndjson stream (an endless one ends here)
    min_body_bytes_per_read_timeout: int = 1024  # a slower body (a drip that resets every timeout) is abandoned
    max_stream_text: int = STREAM_TEXT_TAIL  # characters of a stream's text kept in memory (its end)
    max_stream_chunks: int = STREAM_CHUNK_TAIL  # decoded chunks of a stream kept in memory (the last ones)
    head_bytes: int = 4096  # how much of every body is kept for the Raw view


@dataclass
class CallRequest:
    interface: str
    method: str
    args: Any = field(default_factory=dict)
    service: str | None = None
    test_mode: bool = False

    def body(self) -> dict[str, Any]:
        """The JSON body both generations understand. It never holds the token."""
        body: dict[str, Any] = {"interface": self.interface}
        if self.service:
            # v1 reads `driver ?? service`, v2 only `driver`: send both, with the same value.
            body["driver"] = self.service
            body["service"] = self.service
        body["method"] = self.method
        args = self.args
        if self.test_mode:
            # v1 reads the top-level flag, v2 drivers read `args.test_mode`: send both.
            if isinstance(args, dict):
                args = {**args, "test_mode": True}
            body["test_mode"] = True
        body["args"] = args
        return body

    @property
    def streaming(self) -> bool:
        """The caller asked for an ndjson stream (`args.stream` is true)."""
        return isinstance(self.args, dict) and self.args.get("stream") is True
