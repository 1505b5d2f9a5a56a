"""Talking to a Puter server: a connection, discovery, and `call` -> exactly one outcome.

The rules followed here are the compatibility rules of the drivers protocol (both server generations):
send `driver` and `service` together, `test_mode` at the top level and inside `args`, always a
`Content-Type` and an `Origin` on POST, `Authorization: Bearer`, and decide success from the status and
the body together. Nothing here knows about a user interface.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import mimetypes
import os
import re
import ssl
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterator

import httpx

from ..terminal_text import clean
from .catalog import Catalog, json_kind
from .origins import DEFAULT_API_ORIGIN, derive_gui_origin, loopback_target, normalise_origin
from .outcomes import (
    Binary,
    DriverError,
    Exchange,
    Failure,
    FailureKind,
    Outcome,
    STREAM_CHUNK_TAIL,
    STREAM_TEXT_TAIL,
    Result,
    Stream,
    StreamTail,
    normalise_code,
)

__all__ = [
    "DEFAULT_API_ORIGIN",
    "CallRequest",
    "Connection",
    "Limits",
    "LoginError",
    "LoginResult",
    "Timeouts",
    "derive_gui_origin",
    "login",
]

ChunkCallback = Callable[[Any], None]
USER_AGENT = "puter-explorer"


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


@dataclass
class LoginResult:
    token: str
    user: dict[str, Any]


class LoginError(Exception):
    """Login failed; the message is for a person and never holds the password."""


class Connection:
    """One server: API origin, token, GUI origin, and one `httpx.AsyncClient`."""

    def __init__(
        self,
        api_origin: str = DEFAULT_API_ORIGIN,
        token: str | None = None,
        gui_origin: str | None = None,
        *,
        download_dir: Path | None = None,
        timeouts: Timeouts | None = None,
        limits: Limits | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.api_origin = normalise_origin(api_origin)
        self.gui_origin = normalise_origin(gui_origin) if gui_origin else derive_gui_origin(self.api_origin)
        self._token = token or None
        self.download_dir = Path(download_dir) if download_dir else Path(tempfile.gettempdir()) / "puter-explorer"
        self.timeouts = timeouts or Timeouts()
        self.limits = limits or Limits()
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,  # a redirect could carry the token to another host
            timeout=self._httpx_timeout(self.timeouts.read),
            headers={"User-Agent": USER_AGENT},
        )

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- discovery ------------------------------------------------------------------------------

    async def discover(self) -> Catalog:
        """Ask the server what it offers, fall back to /lsmod, merge with the bundled catalogue.

        Never raises (only cancellation propagates): what went wrong is in `catalog.errors`, and what the
        server described oddly is in the `warnings` of the interfaces it concerns.
        """
        try:
            return await self._discover()
        except Exception as exc:  # a flaw here must not cost the user the bundled catalogue
            catalog = Catalog.bundled(None)
            catalog.mark_error(f"discovery failed: {self._redact(_brief(exc))}")
            return catalog

    async def _discover(self) -> Catalog:
        errors: list[str] = []
        listed, problem = await self._get_json("/drivers/list-interfaces")
        if problem is None and isinstance(listed, dict):
            return _merged(Catalog.bundled("v2"), Catalog.merge_list_interfaces, listed, "GET /drivers/list-interfaces")
        errors.append(f"GET /drivers/list-interfaces: {problem or f'the answer is {json_kind(listed)}, not an object'}")
        lsmod, problem = await self._get_json("/lsmod")
        if problem is None and isinstance(lsmod, dict) and isinstance(lsmod.get("interfaces"), dict):
            has_specs = any(isinstance(i, dict) and "spec" in i for i in lsmod["interfaces"].values())
            return _merged(Catalog.bundled("v1" if has_specs else "v2"), Catalog.merge_lsmod, lsmod, "GET /lsmod")
        errors.append(f"GET /lsmod: {problem or 'no interfaces in the answer'}")
        catalog = Catalog.bundled(None)
        for message in errors:
            catalog.mark_error(message)
        return catalog

    async def _get_json(self, path: str) -> tuple[Any, str | None]:
        """The decoded JSON of a GET and None, or None and a message saying why there is none."""
        url, headers, extensions = self._target(path)
        headers = {"Accept": "application/json", **self._shared_headers(redacted=False), **headers}
        try:
            async with self._client.stream("GET", url, headers=headers, extensions=extensions) as response:
                data, _size, truncated = await _read_limited(response, self.limits.max_json_bytes)
        except httpx.HTTPError as exc:
            return None, self._redact(_transport_failure(exc, self.api_origin)[1])
        if truncated:
            return None, "the answer was too large"
        try:
            decoded = await _parse_json(data) if data else None
        except ValueError:
            decoded = None
        if response.status_code >= 400 or decoded is None:
            detail = ""
            if isinstance(decoded, dict):
                detail = _brief(decoded.get("code") or decoded.get("message") or "")
            elif data:
                detail = _first_line(data)
            return None, self._redact(f"HTTP {response.status_code}" + (f" ({detail})" if detail else ""))
        return decoded, None

    # -- calls ----------------------------------------------------------------------------------

    def _shared_headers(self, redacted: bool) -> dict[str, str]:
        """What every request carries: the encodings we decode ourselves (in bounded blocks), and the token."""
        headers = {"Accept-Encoding": "gzip, deflate"}
        if self._token:
            headers["Authorization"] = "Bearer " + ("<redacted>" if redacted else self._token)
        return headers

    def request_headers(self, redacted: bool = True) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "Accept": "application/json, application/x-ndjson, */*",
            # v1 refuses every POST without an Origin; v2 /login accepts only the GUI origin.
            "Origin": self.gui_origin,
            **self._shared_headers(redacted),
        }

    async def call(self, request: CallRequest, on_chunk: ChunkCallback | None = None) -> Outcome:
        """Send one driver call and return exactly one outcome. Only cancellation propagates."""
        body_text = json.dumps(request.body(), ensure_ascii=False)
        url, extra_headers, extensions = self._target("/drivers/call")
        exchange = Exchange(
            http_method="POST",
            url=f"{self.api_origin}/drivers/call",
            request_headers=self.request_headers(redacted=True),
            request_body=body_text,
        )
        streaming = isinstance(request.args, dict) and request.args.get("stream") is True
        read_timeout = self.timeouts.stream_read if streaming else self.timeouts.read
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeouts.total):
                http_request = self._client.build_request(
                    "POST",
                    url,
                    content=body_text.encode("utf-8"),
                    headers={**self.request_headers(redacted=False), **extra_headers},
                    extensions=extensions,
                    timeout=self._httpx_timeout(read_timeout),
                )
                response = await asyncio.wait_for(
                    self._client.send(http_request, stream=True), self.timeouts.connect + self.timeouts.read
                )
                try:
                    exchange.status = response.status_code
                    exchange.reason = response.reason_phrase
                    exchange.response_headers = list(response.headers.multi_items())
                    outcome = await self._handle(response, request, exchange, on_chunk)
                finally:
                    await response.aclose()
        except (TimeoutError, asyncio.TimeoutError):
            outcome = Failure(exchange, "timeout", self._timeout_message(exchange, streaming))
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ReadTimeout):
                outcome = Failure(exchange, "timeout", self._timeout_message(exchange, streaming))
            else:
                outcome = Failure(exchange, "timeout", self._redact(_transport_failure(exc, self.api_origin)[1]))
        except httpx.HTTPError as exc:
            kind, message = _transport_failure(exc, self.api_origin)
            outcome = Failure(exchange, kind, self._redact(message))
        exchange.duration_ms = (time.perf_counter() - started) * 1000
        return outcome

    def _timeout_message(self, exchange: Exchange, streaming: bool) -> str:
        if exchange.status is None:
            return (
                f"no answer from {self.api_origin} within {self.timeouts.read:g} s"
                + (" (a v1 server never answers a streamed chat: try without stream)" if streaming else "")
            )
        return f"the server stopped sending the body (HTTP {exchange.status}) and the read timed out"

    async def _handle(
        self,
        response: httpx.Response,
        request: CallRequest,
        exchange: Exchange,
        on_chunk: ChunkCallback | None,
    ) -> Outcome:
        status = response.status_code
        content_type = response.headers.get("content-type", "")
        mime = content_type.split(";")[0].strip().lower()

        if 300 <= status < 400:
            location = response.headers.get("location", "")
            return Failure(
                exchange,
                "redirect",
                self._redact(f"HTTP {status}: the server redirects to {location!r}; a driver call does not follow redirects"),
            )
        if mime == "application/x-ndjson" and status < 400:
            return await self._read_stream(response, request, exchange, on_chunk)
        if _is_json(mime) or status >= 400 or mime.startswith("text/") or not mime:
            return await self._read_document(response, request, exchange, mime)
        return await self._read_binary(response, request, exchange, content_type)

    async def _read_document(
        self, response: httpx.Response, request: CallRequest, exchange: Exchange, mime: str
    ) -> Outcome:
        status = response.status_code
        limit = self.limits.max_json_bytes if (_is_json(mime) and status < 400) else self.limits.max_error_bytes
        head = bytearray()
        size = 0
        cap = self._body_cap(response)
        spill: Path | None = None
        spill_file = None
        try:
            async for chunk in _decoded_chunks(response):
                size += len(chunk)
                if size > cap:
                    raise _TooLarge()
                if spill_file is None and size <= limit:
                    head.extend(chunk)
                    continue
                if spill_file is None:
                    spill = self._new_file(request, ".json" if _is_json(mime) else ".txt")
                    spill_file = open(spill, "r+b")
                    spill_file.write(head)
                spill_file.write(chunk)
        except _TooLarge:
            return self._too_large(exchange, size, cap, spill, spill_file)
        finally:
            if spill_file is not None:
                spill_file.close()
        exchange.size = size
        exchange.body_head = bytes(head[: self.limits.head_bytes])

        if spill is not None:
            if status < 400 and _is_json(mime):
                return Result(exchange, value=None, enveloped=False, saved_path=spill)
            return Failure(exchange, "http", f"HTTP {status} with a {size}-byte body, saved to {spill}", saved_path=spill)

        data = bytes(head)
        decoded: Any
        try:
            decoded = await _parse_json(data) if data.strip() else _NOTHING
        except ValueError:
            decoded = _NOTHING
        if decoded is _NOTHING:
            if status >= 400:
                return Failure(exchange, "http", _http_message(status, exchange.reason, data))
            if not data.strip():
                return Failure(exchange, "protocol", f"HTTP {status} with an empty body")
            return Failure(
                exchange,
                "protocol",
                f"HTTP {status} {mime or 'without a content type'} that is not JSON: {_first_line(data)!r}",
            )
        return _interpret_json(exchange, status, decoded)

    async def _read_stream(
        self,
        response: httpx.Response,
        request: CallRequest,
        exchange: Exchange,
        on_chunk: ChunkCallback | None,
    ) -> Outcome:
        """Chunks as they arrive: memory keeps a bounded tail, the raw ndjson goes to a file as it comes."""
        tail = StreamTail(self.limits.max_stream_text, self.limits.max_stream_chunks)
        lines = _Lines()
        path = self._new_file(request, ".ndjson")
        head = bytearray()
        size = 0
        cap = self._body_cap(response)
        problem: str | None = None

        async def deliver(line: bytes) -> None:
            if line.isspace():
                return
            try:
                chunk: Any = await _parse_json(line)
            except ValueError:
                chunk = line.decode("utf-8", "replace")
            tail.add(chunk)
            if on_chunk is not None:
                on_chunk(chunk)
            if tail.chunk_count % STREAM_TURN_EVERY == 0:
                await asyncio.sleep(0)  # a block can hold thousands of chunks: let a UI on this loop draw

        with open(path, "r+b") as saved:
            try:
                async for data in _with_idle_timeout(_decoded_chunks(response), self.timeouts.stream_read):
                    size += len(data)
                    if size > cap:
                        raise _TooLarge()
                    saved.write(data)
                    if len(head) < self.limits.head_bytes:
                        head.extend(data[: self.limits.head_bytes - len(head)])
                    for line in lines.feed(data):
                        await deliver(line)
                    if lines.pending > self.limits.max_line_bytes:
                        raise _TooLarge()
                last = lines.rest()
                if last:
                    await deliver(last)
            except _TooLarge:
                problem = f"the stream went past the size limit after {size} bytes"
            except (TimeoutError, asyncio.TimeoutError):
                problem = f"no chunk for {self.timeouts.stream_read:g} s; the stream was abandoned"
            except httpx.DecodingError as exc:
                problem = _transport_failure(exc, self.api_origin)[1]
            except httpx.HTTPError as exc:
                problem = "the connection was cut during the stream: " + self._redact(
                    _transport_failure(exc, self.api_origin)[1]
                )
        exchange.size = size
        exchange.body_head = bytes(head)
        return Stream(
            exchange,
            chunks=list(tail.chunks),
            text=tail.text,
            error=problem or tail.error,
            complete=problem is None and tail.error is None,
            saved_path=path,
            chunk_count=tail.chunk_count,
            text_chars=tail.text_chars,
        )

    async def _read_binary(
        self, response: httpx.Response, request: CallRequest, exchange: Exchange, content_type: str
    ) -> Outcome:
        suggested = _suggested_name(response.headers.get("content-disposition", ""))
        extension = _extension_for(content_type)
        path = self._new_file(request, extension, suggested)
        hasher = hashlib.sha256()
        head = bytearray()
        size = 0
        cap = self._body_cap(response)
        try:
            with open(path, "r+b") as out:
                async for chunk in _decoded_chunks(response):
                    size += len(chunk)
                    if size > cap:
                        raise _TooLarge()
                    out.write(chunk)
                    hasher.update(chunk)
                    if len(head) < self.limits.head_bytes:
                        head.extend(chunk[: self.limits.head_bytes - len(head)])
        except _TooLarge:
            return self._too_large(exchange, size, cap, path, None)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        exchange.size = size
        exchange.body_head = bytes(head)
        return Binary(
            exchange,
            path=path,
            content_type=content_type or "application/octet-stream",
            size=size,
            sha256=hasher.hexdigest(),
            file_name=path.name,
            head=bytes(head[:256]),
        )

    def _body_cap(self, response: httpx.Response) -> int:
        """The most decoded bytes a body may have: less for a compressed one, whose inflating is the costly part."""
        if response.headers.get("content-encoding", "identity").strip().lower() in ("", "identity"):
            return self.limits.max_body_bytes
        return min(self.limits.max_body_bytes, self.limits.max_inflated_bytes)

    def _too_large(self, exchange: Exchange, size: int, cap: int, spill: Path | None, spill_file: Any) -> Failure:
        if spill_file is not None:
            spill_file.close()
        if spill is not None:
            spill.unlink(missing_ok=True)
        exchange.size = size
        return Failure(exchange, "too_large", f"the body went past {cap} bytes and was abandoned")

    # -- helpers --------------------------------------------------------------------------------

    def _target(self, path: str) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
        return loopback_target(httpx.URL(self.api_origin + path))

    def _httpx_timeout(self, read: float) -> httpx.Timeout:
        t = self.timeouts
        return httpx.Timeout(connect=t.connect, read=read, write=t.write, pool=t.pool)

    def _new_file(self, request: CallRequest, extension: str, suggested: str | None = None) -> Path:
        """A fresh, empty file of our own naming in the download folder (0600).

        Open it with "r+b", not "wb": truncating makes some file systems (ext4) flush the whole file on
        close, which holds the event loop for a large body.
        """
        self.download_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = suggested or _safe_name(f"{request.interface}.{request.method}") + extension
        for attempt in range(1000):
            name = f"{stamp}-{attempt:03d}-{base}"
            path = self.download_dir / name
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            os.close(fd)
            return path
        raise OSError("could not create a file in the download folder")

    def _redact(self, text: str) -> str:
        if self._token and self._token in text:
            text = text.replace(self._token, "<redacted>")
        return text


# -- response interpretation (pure) ---------------------------------------------------------------

_NOTHING = object()


def _interpret_json(exchange: Exchange, status: int, body: Any) -> Outcome:
    """Success or driver error, from the status and the decoded body together (protocol rules 4, 5, 7)."""
    if isinstance(body, dict):
        failed = status >= 400 or body.get("success") is False
        if failed:
            error = _driver_error(exchange, status, body)
            if error is not None:
                return error
            return Failure(exchange, "http", f"HTTP {status} {exchange.reason}".strip() + " with a JSON body that names no error")
        if "success" in body:
            service = body.get("service") if isinstance(body.get("service"), dict) else {}
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            return Result(
                exchange,
                value=body.get("result"),
                service_name=_str_or_none(service.get("name")),
                service_version=_str_or_none(service.get("version")),
                metadata=metadata,
            )
        return Result(exchange, value=body, enveloped=False)
    if status >= 400:
        return Failure(exchange, "http", f"HTTP {status} {exchange.reason}".strip() + f": {_short(body)}")
    # A bare JSON value (v1 answers a plain string result without an envelope).
    return Result(exchange, value=body, enveloped=False)


def _driver_error(exchange: Exchange, status: int, body: dict[str, Any]) -> DriverError | None:
    error = body.get("error")
    nominal: int | None = None
    extra: dict[str, Any]
    if isinstance(error, dict):
        # v1 envelope {success:false, error:{code, message, status, ...}}, or the v2 route-veto shape.
        code = _str_or_none(error.get("code"))
        message = str(error.get("message") or code or "driver error")
        nominal = error.get("status") if isinstance(error.get("status"), int) else None
        extra = {k: v for k, v in error.items() if k not in ("code", "message", "status", "$")}
    elif isinstance(error, str):
        # v2 HttpError {error, message, code?}, or a v1 non-APIError string inside a 200 envelope.
        code = _str_or_none(body.get("code")) if status >= 400 else None
        message = str(body.get("message") or error)
        extra = {k: v for k, v in body.items() if k not in ("error", "message", "code", "success")}
    elif "code" in body or "message" in body:
        # v1 APIError.write outside the driver call (auth errors and the like).
        code = _str_or_none(body.get("code"))
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


def _merged(catalog: Catalog, merge: Callable[[Catalog, Any], None], data: Any, what: str) -> Catalog:
    """`catalog` with a server answer merged in; a flaw in the merge is reported, never raised."""
    try:
        merge(catalog, data)
    except Exception as exc:  # keep what was merged so far, and the bundled rest
        catalog.errors.append(f"{what}: the answer could not be used in full ({_brief(exc)})")
    return catalog


def _transport_failure(exc: httpx.HTTPError, origin: str) -> tuple[FailureKind, str]:
    if isinstance(exc, httpx.TimeoutException):
        what = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for data",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(exc), "waiting")
        return "timeout", f"timed out {what} ({origin})"
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, ssl.SSLError) or "SSL" in str(exc) or "CERTIFICATE" in str(exc).upper():
        return "tls", f"TLS problem with {origin}: {str(exc) or type(exc).__name__}"
    if isinstance(exc, httpx.ConnectError):
        return "connect", f"could not connect to {origin}: {str(exc) or 'connection failed'}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "protocol", f"the server broke the HTTP protocol or closed the connection: {str(exc) or 'no details'}"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.NetworkError)):
        return "connect", f"the connection to {origin} was reset: {str(exc) or type(exc).__name__}"
    if isinstance(exc, httpx.DecodingError):
        return "protocol", f"the body could not be decoded: {exc}"
    return "protocol", f"{type(exc).__name__}: {exc}"


# -- body decoding: bounded blocks, linear time, turns given back to the event loop ------------------

DECODE_INPUT = 16 * 1024  # compressed bytes handed to zlib at once, so every call's work stays bounded
DECODE_OUTPUT = 256 * 1024  # the most one call may inflate
YIELD_EVERY = 4 * 1024 * 1024  # decoded bytes between two turns given back to the loop (a UI shares it)
JSON_INLINE_BYTES = 256 * 1024  # larger JSON is parsed on a worker thread
STREAM_TURN_EVERY = 256  # stream chunks delivered between two turns given back to the loop


class _TooLarge(Exception):
    pass


class _Lines:
    """ndjson lines out of blocks, in time linear in the bytes however many pieces a line arrives in."""

    def __init__(self) -> None:
        self._pieces: list[bytes] = []  # the line being received
        self.pending = 0  # its length so far

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The lines `data` completes (empty ones, and some blank ones, left out)."""
        end = data.rfind(b"\n")
        if end < 0:
            self._keep(data)
            return iter(())
        first = b"".join(self._pieces)
        self._pieces.clear()
        self.pending = 0
        if data.isspace():  # a run of blank lines costs no per-line work
            found = [first]
        else:
            found = data[:end].split(b"\n")
            found[0] = first + found[0]
        self._keep(data[end + 1 :])
        return filter(None, found)

    def rest(self) -> bytes:
        """What came after the last newline."""
        return b"".join(self._pieces)

    def _keep(self, piece: bytes) -> None:
        if piece:
            self._pieces.append(piece)
            self.pending += len(piece)


async def _read_limited(response: httpx.Response, limit: int) -> tuple[bytes, int, bool]:
    data = bytearray()
    size = 0
    async for chunk in _decoded_chunks(response):
        size += len(chunk)
        if size > limit:
            return bytes(data), size, True
        data.extend(chunk)
    return bytes(data), size, False


async def _with_idle_timeout(chunks: AsyncIterator[bytes], idle: float) -> AsyncIterator[bytes]:
    iterator = chunks.__aiter__()
    while True:
        try:
            async with asyncio.timeout(idle):  # no task per chunk, unlike wait_for
                chunk = await iterator.__anext__()
        except StopAsyncIteration:
            return
        yield chunk


async def _decoded_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body, decoded in bounded blocks: a compressed bomb never expands more than a block at a time."""
    if response.is_stream_consumed:  # a response built in memory (a test transport): already decoded
        if response.content:
            yield response.content
        return
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        async for raw in response.aiter_raw():
            yield raw
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise httpx.DecodingError(f"the body uses a content encoding we do not decode: {_brief(encoding)}")
    inflater = _Inflater(gzip=encoding != "deflate")
    since_turn = 0
    async for raw in response.aiter_raw():
        for block in inflater.feed(raw):
            yield block
            since_turn += len(block)
            if since_turn >= YIELD_EVERY:
                since_turn = 0
                await asyncio.sleep(0)
    inflater.finish()


class _Inflater:
    """gzip (one member after another, RFC 1952 2.2) or zlib-wrapped deflate, inflated in bounded blocks."""

    def __init__(self, gzip: bool) -> None:
        self.gzip = gzip
        self.name = "gzip" if gzip else "deflate"
        self._wbits = 16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS
        self._z = zlib.decompressobj(self._wbits)
        self._fed = False  # the current member has had input

    def feed(self, raw: bytes) -> Iterator[bytes]:
        view = memoryview(raw)
        for start in range(0, len(view), DECODE_INPUT):
            data: bytes | memoryview = view[start : start + DECODE_INPUT]
            while data:
                if self._z.eof:
                    data = self._next_member(data)
                    if not data:
                        break
                self._fed = True
                try:
                    block = self._z.decompress(data, DECODE_OUTPUT)
                except zlib.error as exc:
                    raise httpx.DecodingError(f"invalid {self.name} data: {exc}") from None
                if block:
                    yield block
                data = self._z.unused_data if self._z.eof else self._z.unconsumed_tail

    def _next_member(self, data: bytes | memoryview) -> bytes:
        """Input after the end of a member: the next gzip member (zero padding skipped); for deflate, nothing."""
        rest = bytes(data).lstrip(b"\0") if self.gzip else b""
        if rest:
            self._z = zlib.decompressobj(self._wbits)
            self._fed = False
        return rest

    def finish(self) -> None:
        if self._fed and not self._z.eof:
            raise httpx.DecodingError(f"the {self.name} body ends before its compressed data does")


async def _parse_json(data: bytes) -> Any:
    """`json.loads`; a large body on a worker thread. Nesting too deep to parse is a ValueError too."""
    try:
        if len(data) <= JSON_INLINE_BYTES:
            return json.loads(data)
        # The C scanner holds the GIL for a whole parse; a Python-level hook lets the interpreter hand it
        # back to the event loop between objects.
        return await asyncio.to_thread(json.loads, data, object_pairs_hook=_dict_of_pairs)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _dict_of_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(pairs)


def _is_json(mime: str) -> bool:
    return mime == "application/json" or mime.endswith("+json")


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _first_line(data: bytes, width: int = 160) -> str:
    text = data.decode("utf-8", "replace")
    text = re.sub(r"<[^>]+>", " ", text)  # HTML error pages: the words, not the tags
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return clean(line[:width], single_line=True)  # a message for a person: no terminal controls
    return ""


def _brief(value: Any, width: int = 160) -> str:
    """Server data, or an exception, as one short printable line for a message."""
    try:
        if isinstance(value, BaseException):
            text = f"{type(value).__name__}: {value}"
        elif isinstance(value, (dict, list)):
            text = json_kind(value)
        else:
            text = str(value)
    except Exception:  # a value too deeply nested to print
        text = type(value).__name__
    text = clean(text[: width + 1].encode("utf-8", "replace").decode("utf-8"), single_line=True)
    return text if len(text) <= width else text[: width - 1] + "…"


def _short(value: Any, width: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def _http_message(status: int, reason: str, data: bytes) -> str:
    detail = _first_line(data)
    head = f"HTTP {status} {reason}".strip()
    return f"{head}: {detail}" if detail else head


def _safe_name(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")
    return cleaned[:80] or "body"


def _suggested_name(disposition: str) -> str | None:
    """A server-suggested file name, reduced to a plain, safe base name."""
    match = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', disposition, re.IGNORECASE)
    if not match:
        return None
    name = match.group(1).replace("\\", "/").split("/")[-1]
    name = _safe_name(name)
    return name if name and name not in (".", "..") else None


def _extension_for(content_type: str) -> str:
    mime = content_type.split(";")[0].strip().lower()
    special = {"audio/wav": ".wav", "audio/x-wav": ".wav", "audio/mpeg": ".mp3", "image/jpeg": ".jpg"}
    return special.get(mime) or mimetypes.guess_extension(mime) or ".bin"


# -- login ----------------------------------------------------------------------------------------


async def login(
    gui_origin: str,
    username: str,
    password: str,
    *,
    timeouts: Timeouts | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> LoginResult:
    """POST /login on the root (GUI) host, with `Origin` set to that host (accepted by both generations)."""
    origin = normalise_origin(gui_origin)
    t = timeouts or Timeouts()
    url, extra_headers, extensions = loopback_target(httpx.URL(origin + "/login"))
    field_name = "email" if "@" in username else "username"
    headers = {"Content-Type": "application/json", "Origin": origin, "User-Agent": USER_AGENT, **extra_headers}
    async with httpx.AsyncClient(
        transport=transport,
        follow_redirects=False,
        timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool),
    ) as client:
        try:
            response = await client.post(
                url, json={field_name: username, "password": password}, headers=headers, extensions=extensions
            )
        except httpx.HTTPError as exc:
            raise LoginError(_transport_failure(exc, origin)[1]) from None
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    if response.status_code == 202 or (isinstance(body, dict) and body.get("next_step") == "otp"):
        raise LoginError("this account uses two-factor authentication; log in with a token instead")
    if response.status_code == 200 and isinstance(body, dict) and isinstance(body.get("token"), str):
        user = body.get("user") if isinstance(body.get("user"), dict) else {}
        return LoginResult(token=body["token"], user=user)
    if isinstance(body, dict):
        detail = body.get("message") or body.get("error") or body.get("code")
        if isinstance(detail, dict):
            detail = detail.get("message") or detail.get("code")
    else:
        detail = _first_line(response.content)
    raise LoginError(f"login refused: HTTP {response.status_code}" + (f": {detail}" if detail else ""))
