"""A body that drips and a stream that never ends both end, with a clear failure, in bounded time."""

from __future__ import annotations

import asyncio
import json

from explorer.protocol.client import CallRequest, Connection, Limits, Timeouts
from tests.protocol.hostile import HostileServer


async def test_a_dripping_body_is_abandoned_as_too_slow(tmp_path):
    async def drip(reader, writer):
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(1000):  # a byte every 0.1 s never lets the read timeout fire
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.1)

    async with HostileServer(drip) as server:
        async with Connection(server.origin, "tok", download_dir=tmp_path, timeouts=Timeouts(read=1.0)) as connection:
            outcome = await connection.call(CallRequest("i", "m", {}))
    assert outcome.kind == "failure" and outcome.failure == "timeout"
    assert "too slowly" in outcome.message
    assert 0 < outcome.exchange.size < 100
    assert list(tmp_path.iterdir()) == []


async def test_an_endless_stream_stops_at_the_stream_size_limit(tmp_path):
    line = (json.dumps({"type": "text", "text": "x" * 500}) + "\n").encode() * 100

    async def endless(reader, writer):
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n")
        while True:
            writer.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
            await writer.drain()

    limits = Limits(max_stream_bytes=2 * 1024 * 1024)
    async with HostileServer(endless) as server:
        async with Connection(server.origin, "tok", download_dir=tmp_path, limits=limits) as connection:
            outcome = await connection.call(CallRequest("i", "m", {"stream": True}))
    assert outcome.kind == "stream" and not outcome.complete
    assert "size limit" in outcome.error
    assert 2 * 1024 * 1024 <= outcome.exchange.size < 3 * 1024 * 1024
