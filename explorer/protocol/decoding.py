"""Body decoding: bounded blocks, linear time, turns given back to the event loop.

A compressed body is inflated a block at a time (a bomb never expands more than one block before its size
is counted), ndjson lines are split in time linear in the bytes, and large JSON is parsed on a worker thread.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from typing import Any, AsyncIterator, Iterator

import httpx

from .interpret import brief

DECODE_INPUT = 16 * 1024  # compressed bytes handed to zlib at once, so every call's work stays bounded
DECODE_OUTPUT = 256 * 1024  # the most one call may inflate
YIELD_EVERY = 4 * 1024 * 1024  # decoded bytes between two turns given back to the loop (a UI shares it)
JSON_INLINE_BYTES = 256 * 1024  # larger JSON is parsed on a worker thread


async def decoded_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
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
        raise httpx.DecodingError(f"the body uses a content encoding we do not decode: {brief(encoding)}")
    inflater = Inflater(gzip=encoding != "deflate")
    since_turn = 0
    async for raw in response.aiter_raw():
        for block in inflater.feed(raw):
            yield block
            since_turn += len(block)
            if since_turn >= YIELD_EVERY:
                since_turn = 0
                await asyncio.sleep(0)
    inflater.finish()


async def with_idle_timeout(chunks: AsyncIterator[bytes], idle: float) -> AsyncIterator[bytes]:
    """`chunks`, failing with TimeoutError when the next one takes longer than `idle` seconds."""
    iterator = chunks.__aiter__()
    while True:
        try:
            async with asyncio.timeout(idle):  # no task per chunk, unlike wait_for
                chunk = await iterator.__anext__()
        except StopAsyncIteration:
            return
        yield chunk


class TooSlow(Exception):
    """The body arrives, but so slowly that it would take hours: a drip that keeps every read timeout alive."""


async def with_min_rate(chunks: AsyncIterator[bytes], window: float, min_bytes: int) -> AsyncIterator[bytes]:
    """`chunks`, failing with TooSlow when fewer than `min_bytes` arrived in `window` seconds."""
    loop = asyncio.get_running_loop()
    started, received = loop.time(), 0
    async for chunk in chunks:
        received += len(chunk)
        now = loop.time()
        if now - started >= window:
            if received < min_bytes:
                raise TooSlow(f"{received} bytes in the last {now - started:.0f} s")
            started, received = now, 0
        yield chunk


class Inflater:
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


class Lines:
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


async def parse_json(data: bytes) -> Any:
    """`json.loads`; a large body on a worker thread. Nesting too deep to parse is a ValueError too."""
    try:
        if len(data) <= JSON_INLINE_BYTES:
            return json.loads(data)
        return await asyncio.to_thread(_parse_large, data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _parse_large(data: bytes) -> Any:
    """A large body, parsed with plain `json.loads` on a worker thread.

    The C parser holds the GIL for the whole parse, so the event loop may still wait for it: the thread
    does not make the parse free, it is paid once per answer. A UI stays responsive with a big answer
    because it then shows it from its text, a screenful at a time; tuning the garbage collector or the
    interpreter here would change the whole process's behaviour for one call's sake.
    """
    return json.loads(data)
