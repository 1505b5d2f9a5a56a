"""Compressed bodies: decoded in bounded blocks and linear time, bombs stopped early, the event loop kept free."""

from __future__ import annotations

import gc
import gzip
import json
import zlib
from functools import lru_cache

import httpx
import pytest

from explorer.protocol.client import CallRequest, Connection, Limits, Timeouts
from explorer.protocol.decoding import (
    DECODE_OUTPUT,
    JSON_INLINE_BYTES,
    YIELD_EVERY,
    Inflater,
    decoded_chunks,
    parse_json,
)
from tests.protocol.hostile import HostileServer, PeakMemory, Ticker, answer, gzip_bomb, serve_body

TOKEN = "secret-token-value-123"
KV_GET = CallRequest("puter-kvstore", "get", {"key": "k"}, service="puter-kvstore")
STREAMED = CallRequest("puter-chat-completion", "complete", {"model": "fake", "stream": True})
GZIP = {"Content-Encoding": "gzip"}


@lru_cache(maxsize=None)
def bomb(fill: bytes) -> bytes:
    return gzip_bomb(2 * 1024**3, fill)  # about 2 MB on the wire, 2 GiB once inflated


async def call_against(script, tmp_path, *, limits=None, request=KV_GET, on_chunk=None):
    async with HostileServer(script) as server:
        async with Connection(server.origin, token=TOKEN, download_dir=tmp_path, limits=limits,
                              timeouts=Timeouts(read=10, connect=5, stream_read=10)) as connection:
            return await connection.call(request, on_chunk=on_chunk)


# -- bombs ------------------------------------------------------------------------------------------

BOMBS = {
    "json": ("200 OK", "application/json", b"\0", KV_GET),
    "html error page": ("500 Internal Server Error", "text/html", b"\0", KV_GET),
    "binary": ("200 OK", "application/octet-stream", b"\0", KV_GET),
    "stream of blank lines": ("200 OK", "application/x-ndjson", b"\n", STREAMED),
}


@pytest.mark.timeout(15)  # the deadline: a bomb that is inflated in full takes far longer
@pytest.mark.parametrize("name", sorted(BOMBS))
async def test_a_2gb_gzip_bomb_stops_at_the_inflated_cap_in_bounded_memory(tmp_path, name):
    status, content_type, fill, request = BOMBS[name]
    body = bomb(fill)
    assert len(body) < 2_200_000
    limits = Limits()  # the defaults
    with PeakMemory() as memory:
        outcome = await call_against(serve_body(status, {"Content-Type": content_type, **GZIP}, body), tmp_path,
                                     limits=limits, request=request)
    cap = limits.max_inflated_bytes
    if request is STREAMED:  # a stream has a smaller cap of its own, compressed or not
        cap = min(cap, limits.max_stream_bytes)
    assert cap < limits.max_body_bytes
    # Stopped within one decoded block of the cap, not after inflating whatever arrived.
    assert cap < outcome.exchange.size <= cap + DECODE_OUTPUT
    if outcome.kind == "stream":
        assert not outcome.complete and "size limit" in outcome.error and outcome.chunk_count == 0
        assert outcome.saved_path.stat().st_size <= cap
        outcome.saved_path.unlink()
    else:
        assert outcome.kind == "failure" and outcome.failure == "too_large", outcome.summary
        assert str(cap) in outcome.message
    assert list(tmp_path.iterdir()) == []  # nothing partial is left behind
    # At most the 8 MiB a JSON body may keep in memory and a few blocks: never the 256 MiB it inflates to.
    assert memory.growth < 16 * 1024 * 1024


async def test_the_inflated_cap_is_never_above_the_body_cap(tmp_path):
    body = gzip_bomb(32 * 1024**2)
    limits = Limits(max_body_bytes=4 * 1024**2)
    outcome = await call_against(serve_body("200 OK", {"Content-Type": "audio/wav", **GZIP}, body), tmp_path,
                                 limits=limits)
    assert outcome.kind == "failure" and outcome.failure == "too_large"
    assert limits.max_body_bytes < outcome.exchange.size <= limits.max_body_bytes + DECODE_OUTPUT
    assert str(limits.max_body_bytes) in outcome.message


async def test_an_uncompressed_body_may_pass_the_inflated_cap(tmp_path):
    body = bytes(range(256)) * 4096 * 3  # 3 MiB
    outcome = await call_against(serve_body("200 OK", {"Content-Type": "image/png"}, body), tmp_path,
                                 limits=Limits(max_inflated_bytes=1024 * 1024))
    assert outcome.kind == "binary" and outcome.size == len(body)


async def test_decoding_gives_the_event_loop_a_turn_every_few_mb(tmp_path):
    body = gzip_bomb(64 * 1024**2)
    decoded = 0
    blocks = []
    async with HostileServer(serve_body("200 OK", GZIP, body)) as server:
        async with httpx.AsyncClient() as client, client.stream("GET", server.origin) as response:
            async with Ticker(lambda: decoded) as ticker:
                async for block in decoded_chunks(response):
                    decoded += len(block)
                    blocks.append(len(block))
    assert decoded == 64 * 1024**2
    assert max(blocks) <= DECODE_OUTPUT
    # Each raw read of 64 KiB inflates to 64 MiB here: without turns the loop would be held for all of it.
    assert ticker.largest_step <= YIELD_EVERY + DECODE_OUTPUT
    assert ticker.turns >= decoded // (YIELD_EVERY + DECODE_OUTPUT)
    assert ticker.longest_gap < 1.0  # generous on a slow machine; inflating it all in one go holds the loop far longer


# -- members, corruption ----------------------------------------------------------------------------


async def test_gzip_members_one_after_another_are_all_decoded(tmp_path):
    first = gzip.compress(b'{"success":true,"result":"first member, ')
    second = gzip.compress(b'second member"}')

    async def members(reader, writer):
        body = first + b"\0" * 4 + second  # zero padding between members is allowed, as gzip(1) does
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body))
        for piece in (first[:5], first[5:], b"\0" * 4, second[:3], second[3:]):  # members across reads
            writer.write(piece)
            await writer.drain()

    outcome = await call_against(members, tmp_path)
    assert outcome.kind == "result", outcome.summary
    assert outcome.value == "first member, second member"


def test_members_split_anywhere_across_raw_chunks_decode_the_same():
    members = [gzip.compress(b"alpha " * 100), gzip.compress(b""), gzip.compress(b"beta " * 50)]
    wire = members[0] + members[1] + b"\0\0" + members[2]
    inflater = Inflater(gzip=True)
    out = b"".join(block for i in range(len(wire)) for block in inflater.feed(wire[i : i + 1]))
    inflater.finish()
    assert out == b"alpha " * 100 + b"beta " * 50


def test_deflate_is_one_stream_and_what_follows_it_is_ignored():
    inflater = Inflater(gzip=False)
    out = b"".join(inflater.feed(zlib.compress(b"payload") + b"trailing"))
    inflater.finish()
    assert out == b"payload"


GOOD = gzip.compress(b'{"a": 1}' * 50)
CORRUPT = {
    # after the 10-byte header, a deflate block of the reserved type 3
    "garbage in the compressed data": (GOOD[:10] + b"\x07" + GOOD[11:], "invalid block type"),
    "not gzip at all": (b"<html>hello</html>", "invalid gzip data"),
    "cut short": (GOOD[:-6], "ends before its compressed data does"),
    "a second member that is garbage": (gzip.compress(b'{"a": 1}') + b"junk", "invalid gzip data"),
}


@pytest.mark.parametrize("name", sorted(CORRUPT))
async def test_a_corrupt_gzip_body_is_a_protocol_failure(tmp_path, name):
    body, reason = CORRUPT[name]
    outcome = await call_against(answer("200 OK", {"Content-Type": "application/json", **GZIP}, body), tmp_path)
    assert outcome.kind == "failure" and outcome.failure == "protocol", outcome.summary
    assert outcome.message.startswith("the body could not be decoded: ") and reason in outcome.message


async def test_an_empty_gzip_body_is_an_empty_body_not_a_corrupt_one(tmp_path):
    outcome = await call_against(answer("200 OK", {"Content-Type": "application/json", **GZIP}, b""), tmp_path)
    assert outcome.kind == "failure" and outcome.failure == "protocol"
    assert outcome.message == "HTTP 200 with an empty body"


async def test_a_corrupt_gzip_stream_keeps_its_chunks_and_says_why(tmp_path):
    body = gzip.compress(b'{"type":"text","text":"ok"}\n')[:-4]
    outcome = await call_against(answer("200 OK", {"Content-Type": "application/x-ndjson", **GZIP}, body), tmp_path,
                                 request=STREAMED)
    assert outcome.kind == "stream" and not outcome.complete
    assert outcome.chunks == [{"type": "text", "text": "ok"}]
    assert outcome.error == "the body could not be decoded: the gzip body ends before its compressed data does"


# -- JSON parsing -----------------------------------------------------------------------------------


async def test_large_json_is_parsed_on_a_worker_thread():
    value = {"result": [{"id": i, "name": f"item {i}", "tags": ["a", "b"]} for i in range(60_000)]}
    data = json.dumps(value).encode()
    assert len(data) > 8 * JSON_INLINE_BYTES
    async with Ticker(lambda: 0) as ticker:
        parsed = await parse_json(data)
    assert parsed == value
    # One turn on entering and one on leaving the ticker; parsed inline, the call gives the loop none between.
    assert ticker.turns >= 3
    # The C parser may hold the interpreter for one parse (a fraction of a second), never for longer.
    assert ticker.longest_gap < 1.0


@pytest.mark.parametrize("depth", [50_000, 200_000])  # parsed inline, and on a worker thread
async def test_json_nested_too_deeply_is_not_json_rather_than_a_crash(tmp_path, depth):
    body = b"[" * depth + b"]" * depth
    assert (len(body) > JSON_INLINE_BYTES) == (depth == 200_000)
    outcome = await call_against(answer("200 OK", {"Content-Type": "application/json"}, body), tmp_path,
                                 limits=Limits(max_json_bytes=1024 * 1024))
    assert outcome.kind == "failure" and outcome.failure == "protocol"
    assert "not JSON" in outcome.message


async def test_parsing_a_large_body_leaves_the_garbage_collector_as_it_was():
    records = [{"name": f"item-{n}", "tags": ["a", "b"], "size": n} for n in range(20_000)]
    data = json.dumps({"result": records}).encode()
    assert len(data) > JSON_INLINE_BYTES
    frozen_before, enabled_before = gc.get_freeze_count(), gc.isenabled()
    value = await parse_json(data)
    assert value == {"result": records}
    assert (gc.get_freeze_count(), gc.isenabled()) == (frozen_before, enabled_before)
