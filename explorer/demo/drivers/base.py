"""What every demo driver shares: a call, the replies a method may give, a driver failure, the base class.

A driver method receives a `Call` and returns a JSON value, a `Reply` (value + metadata), `NO_RESULT`
(the real servers omit `result` for some methods), a `BinaryReply` or a `StreamReply`. It raises
`DriverFailure` for a driver error; the app turns both into the wire shapes of the generation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


APIERROR = "heyputer:api/APIError"
DEMO_USER = {"username": "demo", "uuid": "00000000-0000-4000-8000-00000000d3e0"}


class DriverFailure(Exception):
    """A driver error. `plain` marks errors that v1 reports as a bare string (not an APIError)."""

    def __init__(
        self, code: str | None, message: str, status: int, fields: dict[str, Any] | None = None, plain: bool = False
    ):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.fields = dict(fields or {})
        self.plain = plain


def bad_request(message: str) -> DriverFailure:
    return DriverFailure("bad_request", message, 400)


class _NoResult:
    def __repr__(self) -> str:
        return "NO_RESULT"


NO_RESULT = _NoResult()


@dataclass
class Reply:
    value: Any
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class BinaryReply:
    data: bytes
    content_type: str


@dataclass
class StreamReply:
    lines: list[dict[str, Any]]  # sent one per line, with a delay between text lines


@dataclass
class Call:
    generation: str
    interface: str
    method: str
    args: dict[str, Any]
    test_mode: bool = False
    requested_driver: str | None = None


class Driver:
    """Methods are `m_<name>`; `v1_only` / `v2_only` narrow them to one generation."""

    description = ""
    v1_only: frozenset[str] = frozenset()
    v2_only: frozenset[str] = frozenset()

    def method_names(self, generation: str) -> set[str]:
        names = {n[2:] for n in dir(self) if n.startswith("m_")}
        excluded = self.v2_only if generation == "v1" else self.v1_only
        return names - excluded

    def handler(self, method: str) -> Callable[[Call], Any]:
        return getattr(self, "m_" + method)


def no_implementation(interface: str) -> DriverFailure:
    return DriverFailure(
        "no_implementation_available", f"No implementation available for interface `{interface}`.", 502,
        {"iface": interface},
    )

def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
