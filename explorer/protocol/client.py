"""Talking to a Puter server: a connection, discovery, and `call` -> exactly one outcome.

The rules followed here are the compatibility rules of the drivers protocol (both server generations):
send `driver` and `service` together, `test_mode` at the top level and inside `args`, always a
`Content-Type` and an `Origin` on POST, `Authorization: Bearer`, and decide success from the status and
the body together (`interpret`). Nothing here knows about a user interface.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import httpx

from .bodies import BodyFile, BodySink, TooLarge, extension_for, new_file, suggested_name
from .catalog import Catalog, json_kind
from .decoding import TooSlow, decoded_chunks, parse_json, with_min_rate
from .interpret import (
    NOTHING,
    body_kind,
    brief,
    discovery_problem,
    document_outcome,
    is_json,
    redirect_failure,
    saved_document_outcome,
    too_large_failure,
)
from .login import LoginError, LoginResult, login
from ..redaction import redacted, secrets_of
from .origins import DEFAULT_API_ORIGIN, derive_gui_origin, loopback_target, normalise_origin
from .outcomes import Binary, DriverError, Exchange, Failure, Outcome
from .request import CallRequest, Limits, Timeouts
from .streaming import STREAM_TURN_EVERY, ChunkCallback, read_stream
from .transport import USER_AGENT, httpx_timeout, tls_verify, transport_failure

__all__ = [
    "DEFAULT_API_ORIGIN",
    "CallRequest",
    "Connection",
    "Limits",
    "LoginError",
    "LoginResult",
    "STREAM_TURN_EVERY",
    "Timeouts",
    "derive_gui_origin",
    "login",
]

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
        self._call_target = self._target("/drivers/call")  # parsed once: every call goes there
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,  # a redirect could carry the token to another host
            timeout=httpx_timeout(self.timeouts, self.timeouts.read),
            headers={"User-Agent": USER_AGENT},
            verify=tls_verify(self.api_origin),
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
            catalog.mark_error(f"discovery failed: {self.redact(brief(exc))}")
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
        sink = BodySink(cap=self.limits.max_json_bytes, keep=self.limits.max_json_bytes)
        try:
            async with self._client.stream("GET", url, headers=headers, extensions=extensions) as response:
                async for block in decoded_chunks(response):
                    await sink.add(block)
        except TooLarge:
            return None, "the answer was too large"
        except httpx.HTTPError as exc:
            return None, self.redact(transport_failure(exc, self.api_origin)[1])
        data = sink.data
        try:
            decoded = await parse_json(data) if data else None
        except ValueError:
            decoded = None
        problem = discovery_problem(response.status_code, data, decoded)
        return (None, self.redact(problem)) if problem else (decoded, None)

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

    async def call(
        self,
        request: CallRequest,
        on_chunk: ChunkCallback | None = None,
        *,
        binary_path: Path | None = None,
    ) -> Outcome:
        """Send one driver call and return exactly one outcome. Only cancellation propagates.

        A binary answer goes to `binary_path` when one is given (created or truncated, as `curl -o` does),
        else to a new file in the download folder. Any other answer leaves `binary_path` untouched.
        """
        body_text = json.dumps(request.body(), ensure_ascii=False)
        url, extra_headers, extensions = self._call_target
        exchange = Exchange(
            http_method="POST",
            url=f"{self.api_origin}/drivers/call",
            request_headers=self.request_headers(redacted=True),
            request_body=body_text,
        )
        streaming = request.streaming
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
                    timeout=httpx_timeout(self.timeouts, read_timeout),
                )
                async with asyncio.timeout(self.timeouts.connect + self.timeouts.read):  # no task, unlike wait_for
                    response = await self._client.send(http_request, stream=True)
                try:
                    exchange.status = response.status_code
                    exchange.reason = response.reason_phrase
                    exchange.response_headers = list(response.headers.multi_items())
                    outcome = await self._handle(response, request, exchange, on_chunk, binary_path)
                finally:
                    await response.aclose()
        except TimeoutError:
            outcome = Failure(exchange, "timeout", self._timeout_message(exchange, streaming))
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ReadTimeout):
                outcome = Failure(exchange, "timeout", self._timeout_message(exchange, streaming))
            else:
                outcome = Failure(exchange, "timeout", self.redact(transport_failure(exc, self.api_origin)[1]))
        except httpx.HTTPError as exc:
            kind, message = transport_failure(exc, self.api_origin)
            outcome = Failure(exchange, kind, self.redact(message))
        exchange.duration_ms = (time.perf_counter() - started) * 1000
        if isinstance(outcome, DriverError):  # a server may quote the token back in its error
            outcome.message = self.redact(outcome.message)
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
        binary_path: Path | None,
    ) -> Outcome:
        status = response.status_code
        content_type = response.headers.get("content-type", "")
        mime = content_type.split(";")[0].strip().lower()
        kind = body_kind(status, mime)
        if kind == "redirect":
            failure = redirect_failure(exchange, status, response.headers.get("location", ""))
            failure.message = self.redact(failure.message)
            return failure
        if kind == "stream":
            return await read_stream(
                response,
                exchange,
                self._new_file(request, ".ndjson"),
                on_chunk,
                cap=self._body_cap(response),
                limits=self.limits,
                idle_timeout=self.timeouts.stream_read,
                origin=self.api_origin,
                redact=self.redact,
            )
        if kind == "document":
            return await self._read_document(response, request, exchange, mime)
        return await self._read_binary(response, request, exchange, content_type, binary_path)

    async def _read_into(self, sink: BodySink, response: httpx.Response, exchange: Exchange) -> Failure | None:
        """The whole body into `sink`; a body past its cap is dropped and its failure returned."""
        chunks = with_min_rate(
            decoded_chunks(response), self.timeouts.read, self.limits.min_body_bytes_per_read_timeout
        )
        try:
            async for block in chunks:
                await sink.add(block)
            await sink.finish()
        except TooLarge:
            await sink.discard()
            exchange.size = sink.size
            return too_large_failure(exchange, sink.cap)
        except TooSlow as why:
            await sink.discard()
            exchange.size = sink.size
            return Failure(exchange, "timeout", f"the server sends the body too slowly ({why}); abandoned after "
                           f"{sink.size} bytes")
        except BaseException:
            await sink.discard()
            raise
        exchange.size = sink.size
        exchange.body_head = bytes(sink.head)
        return None

    async def _read_document(
        self, response: httpx.Response, request: CallRequest, exchange: Exchange, mime: str
    ) -> Outcome:
        """JSON or an error page: in memory up to a limit, parsed; past it saved to a file, not parsed."""
        status = response.status_code
        limit = self.limits.max_json_bytes if (is_json(mime) and status < 400) else self.limits.max_error_bytes
        extension = ".json" if is_json(mime) else ".txt"
        sink = BodySink(
            cap=self._body_cap(response),
            keep=limit,
            head_bytes=self.limits.head_bytes,
            spill=lambda: BodyFile(self._new_file(request, extension), ours=True),
        )
        failure = await self._read_into(sink, response, exchange)
        if failure is not None:
            return failure
        if not sink.in_memory:
            assert sink.file is not None
            return saved_document_outcome(exchange, mime, sink.file.path)
        data = sink.data
        decoded: Any
        try:
            decoded = await parse_json(data) if data.strip() else NOTHING
        except ValueError:
            decoded = NOTHING
        return document_outcome(exchange, mime, data, decoded)

    async def _read_binary(
        self,
        response: httpx.Response,
        request: CallRequest,
        exchange: Exchange,
        content_type: str,
        binary_path: Path | None,
    ) -> Outcome:
        if binary_path is not None:
            file = BodyFile(Path(binary_path), ours=False)
        else:
            suggested = suggested_name(response.headers.get("content-disposition", ""))
            file = BodyFile(self._new_file(request, extension_for(content_type), suggested), ours=True)
        sink = BodySink(cap=self._body_cap(response), head_bytes=self.limits.head_bytes, file=file, hashed=True)
        failure = await self._read_into(sink, response, exchange)
        if failure is not None:
            return failure
        assert sink.sha256 is not None
        return Binary(
            exchange,
            path=file.path,
            content_type=content_type or "application/octet-stream",
            size=sink.size,
            sha256=sink.sha256,
            file_name=file.path.name,
            head=bytes(sink.head[:256]),
            external=not file.ours,
        )

    def _body_cap(self, response: httpx.Response) -> int:
        """The most decoded bytes a body may have: less for a compressed one, whose inflating is the costly part."""
        if response.headers.get("content-encoding", "identity").strip().lower() in ("", "identity"):
            return self.limits.max_body_bytes
        return min(self.limits.max_body_bytes, self.limits.max_inflated_bytes)

    # -- helpers --------------------------------------------------------------------------------

    def _target(self, path: str) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
        return loopback_target(httpx.URL(self.api_origin + path))

    def _new_file(self, request: CallRequest, extension: str, suggested: str | None = None) -> Path:
        """A fresh, empty file of our own naming in the download folder (0600)."""
        return new_file(self.download_dir, f"{request.interface}.{request.method}", extension, suggested)

    def redact(self, text: str) -> str:
        """`text` with this connection's token replaced by `<redacted>` (`redaction`: not a token of a few
        characters)."""
        return redacted(text, secrets_of([self._token]))


def _merged(catalog: Catalog, merge: Callable[[Catalog, Any], None], data: Any, what: str) -> Catalog:
    """`catalog` with a server answer merged in; a flaw in the merge is reported, never raised."""
    try:
        merge(catalog, data)
    except Exception as exc:  # keep what was merged so far, and the bundled rest
        catalog.errors.append(f"{what}: the answer could not be used in full ({brief(exc)})")
    return catalog
