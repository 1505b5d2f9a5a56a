"""A raw TCP server on loopback that answers whatever bytes a test scripts (for what no real Puter does on purpose),
and what tests of hostile answers share: bombs, a peak-memory probe, bounded waits, an event-loop ticker."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
import tracemalloc
import zlib
from typing import Awaitable, Callable

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return head + body


class HostileServer:
    def __init__(self, script: Script):
        self.script = script
        self.requests: list[bytes] = []
        self._server: asyncio.AbstractServer | None = None

    async def __aenter__(self) -> "HostileServer":
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                self.requests.append(await read_request(reader))
                await self.script(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()

        self._server = await asyncio.start_server(handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    @property
    def origin(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"


def answer(status: str, headers: dict[str, str], body: bytes = b"") -> Script:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers.items()]
        if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()

    return script


def gzip_bomb(total: int, fill: bytes = b"\0", block: int = 1 << 20) -> bytes:
    """One valid gzip member of `total` bytes of `fill`, built in well under a second (about 1000:1).

    After a full flush deflate starts afresh, so the same input block compresses to the same bytes every time.
    """
    assert total % block == 0
    data = fill * block
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(total // block):
        crc = zlib.crc32(data, crc)
    final_block = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # an empty last block
    return first + again * (total // block - 1) + final_block + struct.pack("<II", crc, total & 0xFFFFFFFF)


def serve_body(status: str, headers: dict[str, str], body: bytes, piece: int = 64 * 1024) -> Script:
    """Answer with `body` in pieces, waiting for the client to take each (it may hang up at any point)."""

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), f"Content-Length: {len(body)}"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        for start in range(0, len(body), piece):
            writer.write(body[start : start + piece])
            await writer.drain()

    return script


class PeakMemory:
    """The peak of Python's allocations while the block runs, above what was allocated at its start (`growth`).

    Measured with tracemalloc, so it is the same on every platform: bytes objects (a body, an inflated block)
    are Python allocations, which is where a body held in full would show.
    """

    def __init__(self) -> None:
        self.growth = 0
        self._started_here = False

    def __enter__(self) -> "PeakMemory":
        self._started_here = not tracemalloc.is_tracing()
        if self._started_here:
            tracemalloc.start()
        tracemalloc.reset_peak()
        self._start = tracemalloc.get_traced_memory()[0]
        return self

    def __exit__(self, *exc: object) -> None:
        self.growth = tracemalloc.get_traced_memory()[1] - self._start
        if self._started_here:
            tracemalloc.stop()


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0, what: str = "the condition") -> None:
    """Poll `predicate` until it holds; fail (never hang) once `timeout` seconds have passed."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        await asyncio.sleep(0.01)


class Ticker:
    """A task that takes every turn the event loop gives it, recording `probe()` each time (a UI's view)."""

    def __init__(self, probe: Callable[[], int]) -> None:
        self.probe = probe
        self.seen: list[int] = []
        self.stamps: list[float] = []  # when each turn was taken
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            self.seen.append(self.probe())
            self.stamps.append(time.perf_counter())
            await asyncio.sleep(0)

    async def __aenter__(self) -> "Ticker":
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self.seen.append(self.probe())
        self.stamps.append(time.perf_counter())

    @property
    def turns(self) -> int:
        return len(self.seen)

    @property
    def largest_step(self) -> int:
        """The most progress made between two turns."""
        return max((b - a for a, b in zip(self.seen, self.seen[1:])), default=0)

    @property
    def longest_gap(self) -> float:
        """The longest time, in seconds, the loop went without giving this task a turn."""
        return max((b - a for a, b in zip(self.stamps, self.stamps[1:])), default=0.0)
