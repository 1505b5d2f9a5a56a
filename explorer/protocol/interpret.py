"""From an HTTP status and a body to exactly one outcome (protocol rules 4, 5, 7), and short messages for a person.

Pure: no I/O, no HTTP stack. The client reads and decodes; this decides what the answer means.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from ..terminal_text import clean
from .catalog import json_kind
from .outcomes import DriverError, Exchange, Failure, Outcome, Result, normalise_code

BodyKind = Literal["redirect", "stream", "document", "binary"]

NOTHING: Any = object()  # a body that is not JSON (or is empty)


def body_kind(status: int, mime: str) -> BodyKind:
    """How a body must be read: JSON and error pages into memory, ndjson line by line, the rest to a file."""
    if 300 <= status < 400:
        return "redirect"
    if mime == "application/x-ndjson" and status < 400:
        return "stream"
    if is_json(mime) or status >= 400 or mime.startswith("text/") or not mime:
        return "document"
    return "binary"


def redirect_failure(exchange: Exchange, status: int, location: str) -> Failure:
    return Failure(
        exchange,
        "redirect",
        f"HTTP {status}: the server redirects to {location!r}; a driver call does not follow redirects",
    )


def document_outcome(exchange: Exchange, mime: str, data: bytes, decoded: Any) -> Outcome:
    """The outcome of a body read whole into memory; `decoded` is its JSON value, or NOTHING."""
    status = exchange.status or 0
    if decoded is NOTHING:
        if status >= 400:
            return Failure(exchange, "http", http_message(status, exchange.reason, data))
        if not data.strip():
            return Failure(exchange, "protocol", f"HTTP {status} with an empty body")
        return Failure(
            exchange,
            "protocol",
            f"HTTP {status} {mime or 'without a content type'} that is not JSON: {first_line(data)!r}",
        )
    return interpret_json(exchange, status, decoded)


def saved_document_outcome(exchange: Exchange, mime: str, path: Path) -> Outcome:
    """The outcome of a body too large to read into memory, saved to `path` instead."""
    status = exchange.status or 0
    if status < 400 and is_json(mime):
        return Result(exchange, value=None, enveloped=False, saved_path=path)
    message = f"HTTP {status} with a {exchange.size}-byte body, saved to {path}"
    return Failure(exchange, "http", message, saved_path=path)


def too_large_failure(exchange: Exchange, cap: int) -> Failure:
    return Failure(exchange, "too_large", f"the body went past {cap} bytes and was abandoned")


def interpret_json(exchange: Exchange, status: int, body: Any) -> Outcome:
    """Success or driver error, from the status and the decoded body together (protocol rules 4, 5, 7)."""
    if isinstance(body, dict):
        failed = status >= 400 or body.get("success") is False
        if failed:
            error = driver_error(exchange, status, body)
            if error is not None:
                return error
            return Failure(exchange, "http", f"HTTP {status} {exchange.reason}".strip() + " with a JSON body that names no error")
        if "success" in body:
            service = body.get("service") if isinstance(body.get("service"), dict) else {}
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            return Result(
                exchange,
                value=body.get("result"),
                service_name=str_or_none(service.get("name")),
                service_version=str_or_none(service.get("version")),
                metadata=metadata,
            )
        return Result(exchange, value=body, enveloped=False)
    if status >= 400:
        return Failure(exchange, "http", f"HTTP {status} {exchange.reason}".strip() + f": {short(body)}")
    # A bare JSON value (v1 answers a plain string result without an envelope).
    return Result(exchange, value=body, enveloped=False)


def driver_error(exchange: Exchange, status: int, body: dict[str, Any]) -> DriverError | None:
    error = body.get("error")
    nominal: int | None = None
    extra: dict[str, Any]
    if isinstance(error, dict):
        # v1 envelope {success:false, error:{code, message, status, ...}}, or the v2 route-veto shape.
        code = str_or_none(error.get("code"))
        message = str(error.get("message") or code or "driver error")
        nominal = error.get("status") if isinstance(error.get("status"), int) else None
        extra = {k: v for k, v in error.items() if k not in ("code", "message", "status", "$")}
    elif isinstance(error, str):
        # v2 HttpError {error, message, code?}, or a v1 non-APIError string inside a 200 envelope.
        code = str_or_none(body.get("code")) if status >= 400 else None
        message = str(body.get("message") or error)
        extra = {k: v for k, v in body.items() if k not in ("error", "message", "code", "success")}
    elif "code" in body or "message" in body:
        # v1 APIError.write outside the driver call (auth errors and the like).
        code = str_or_none(body.get("code"))
        message = str(body.get("message") or code)
        extra = {k: v for k, v in body.items() if k not in ("message", "code", "success")}
    else:
        return None
    return DriverError(
        exchange,
        code=code,
        message=message,
        status=status,
        nominal_status=nominal,
        normalised_code=normalise_code(code),
        body=body,
        extra=extra,
    )


def discovery_problem(status: int, data: bytes, decoded: Any) -> str | None:
    """Why a discovery GET gave nothing usable (None: `decoded` is its answer)."""
    if status < 400 and decoded is not None:
        return None
    detail = ""
    if isinstance(decoded, dict):
        detail = brief(decoded.get("code") or decoded.get("message") or "")
    elif data:
        detail = first_line(data)
    return f"HTTP {status}" + (f" ({detail})" if detail else "")


# -- messages ---------------------------------------------------------------------------------------


def is_json(mime: str) -> bool:
    return mime == "application/json" or mime.endswith("+json")


def str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def first_line(data: bytes, width: int = 160) -> str:
    text = data.decode("utf-8", "replace")
    text = re.sub(r"<[^>]+>", " ", text)  # HTML error pages: the words, not the tags
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return clean(line[:width], single_line=True)  # a message for a person: no terminal controls
    return ""


def brief(value: Any, width: int = 160) -> str:
    """Server data, or an exception, as one short printable line for a message."""
    try:
        if isinstance(value, BaseException):
            text = f"{type(value).__name__}: {value}"
        elif isinstance(value, (dict, list)):
            text = json_kind(value)
        else:
            text = str(value)
    except RecursionError:  # a value too deeply nested to print
        text = type(value).__name__
    except Exception as exc:  # an object whose text itself fails: say so rather than lose the message
        text = f"{type(value).__name__} (not printable: {type(exc).__name__})"
    text = clean(text[: width + 1].encode("utf-8", "replace").decode("utf-8"), single_line=True)
    return text if len(text) <= width else text[: width - 1] + "…"


def short(value: Any, width: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def http_message(status: int, reason: str, data: bytes) -> str:
    detail = first_line(data)
    head = f"HTTP {status} {reason}".strip()
    return f"{head}: {detail}" if detail else head
