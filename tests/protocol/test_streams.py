"""ndjson streams in bounded memory and linear time: counts of everything, a tail of chunks, the end of the text."""

from __future__ import annotations

import asyncio
import gzip

import pytest

from explorer.protocol.client import STREAM_TURN_EVERY, CallRequest, Connection, Limits, Timeouts
from explorer.protocol.decoding import Lines
from explorer.protocol.outcomes import STREAM_CHUNK_TAIL
from tests.protocol.hostile import HostileServer, Ticker

STREAMED = CallRequest("puter-chat-completion", "complete", {"model": "fake", "stream": True})
NDJSON_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n"


def chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def serve_lines(lines: list[bytes], per_write: int = 100, extra_headers: bytes = b"", encode=lambda b: b):
    async def script(reader, writer):
        writer.write(NDJSON_HEAD + extra_headers + b"\r\n")
        for start in range(0, len(lines), per_write):
            writer.write(chunked(encode(b"".join(lines[start : start + per_write]))))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    return script


async def stream_from(script, tmp_path, *, limits=None, on_chunk=None, idle=10.0):
    async with HostileServer(script) as server:
        async with Connection(server.origin, token="t", download_dir=tmp_path, limits=limits,
                              timeouts=Timeouts(read=10, connect=5, stream_read=idle)) as connection:
            return await connection.call(STREAMED, on_chunk=on_chunk)


def text_lines(count: int) -> tuple[list[bytes], str]:
    pieces = [f"{i:05d}," for i in range(count)]
    return [b'{"type":"text","text":"%s"}\n' % p.encode() for p in pieces], "".join(pieces)


async def test_20000_chunks_keep_a_bounded_tail_and_exact_counts(tmp_path):
    lines, text = text_lines(20_000)
    seen = []
    limits = Limits(max_stream_text=1000, max_stream_chunks=50)
    outcome = await stream_from(serve_lines(lines), tmp_path, limits=limits, on_chunk=seen.append)
    assert outcome.kind == "stream" and outcome.complete and outcome.error is None
    assert len(seen) == outcome.chunk_count == 20_000  # on_chunk once per chunk
    assert outcome.text_chars == len(text) == 120_000
    assert len(outcome.chunks) == 50 and outcome.chunks == seen[-50:]
    assert outcome.text == text[-1000:] and outcome.text_truncated
    assert "text cut to its last 1000 of 120000 characters" in outcome.summary
    assert outcome.saved_path.read_bytes() == b"".join(lines)  # the whole stream is on disk


async def test_a_stream_under_the_limits_is_kept_whole(tmp_path):
    lines, text = text_lines(300)
    outcome = await stream_from(serve_lines(lines), tmp_path)
    assert outcome.chunk_count == len(outcome.chunks) == 300 <= STREAM_CHUNK_TAIL
    assert outcome.text == text and outcome.text_chars == len(text) and not outcome.text_truncated


async def test_a_gzip_member_per_flush_gives_every_chunk(tmp_path):
    lines, text = text_lines(500)
    outcome = await stream_from(serve_lines(lines, per_write=7, extra_headers=b"Content-Encoding: gzip\r\n",
                                            encode=gzip.compress), tmp_path)
    assert outcome.complete and outcome.chunk_count == 500 and outcome.text == text


async def test_a_dense_stream_lets_the_event_loop_run_between_chunks(tmp_path):
    lines = [b'{"type":"text","text":"x"}\n'] * 30_000
    body = gzip.compress(b"".join(lines))  # a few KB that hold every chunk: one read delivers them all
    seen = []

    async def script(reader, writer):
        writer.write(NDJSON_HEAD + b"Content-Encoding: gzip\r\n\r\n" + chunked(body) + b"0\r\n\r\n")
        await writer.drain()

    async with Ticker(lambda: len(seen)) as ticker:
        outcome = await stream_from(script, tmp_path, on_chunk=seen.append)
    assert outcome.chunk_count == 30_000 and outcome.complete
    assert ticker.largest_step <= STREAM_TURN_EVERY
    assert ticker.longest_gap < 1.0  # and no turn waits long (a bound generous enough for a slow machine)


async def test_a_line_that_arrives_in_many_small_pieces(tmp_path):
    line = b'{"type":"text","text":"' + b"y" * 200_000 + b'"}\n'

    async def script(reader, writer):
        writer.write(NDJSON_HEAD + b"\r\n")
        for start in range(0, len(line), 1000):
            writer.write(chunked(line[start : start + 1000]))
            await writer.drain()
            if start % 50_000 == 0:
                await asyncio.sleep(0.001)  # let the client read what is there: the line spans reads
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    outcome = await stream_from(script, tmp_path)
    assert outcome.chunk_count == 1 and outcome.text == "y" * 200_000


async def test_a_line_past_the_limit_ends_the_stream(tmp_path):
    async def script(reader, writer):
        writer.write(NDJSON_HEAD + b"\r\n" + chunked(b'{"type":"text","text":"a"}\n' + b"z" * 5000))
        await writer.drain()
        await asyncio.sleep(5)

    outcome = await stream_from(script, tmp_path, limits=Limits(max_line_bytes=4096))
    assert outcome.chunks == [{"type": "text", "text": "a"}] and not outcome.complete
    assert "size limit" in outcome.error


async def test_a_stream_that_goes_quiet_is_abandoned_with_what_came(tmp_path):
    async def quiet(reader, writer):
        writer.write(NDJSON_HEAD + b"\r\n" + chunked(b'{"type":"text","text":"so far"}\n'))
        await writer.drain()
        await asyncio.sleep(5)

    outcome = await stream_from(quiet, tmp_path, idle=0.3)
    assert outcome.text == "so far" and outcome.chunk_count == 1 and not outcome.complete
    assert outcome.error == "no chunk for 0.3 s; the stream was abandoned"


# -- splitting lines --------------------------------------------------------------------------------


@pytest.mark.timeout(10)  # the deadline: joining the pending line again at every piece is quadratic
def test_one_line_in_100000_pieces_is_split_in_linear_time():
    lines = Lines()
    line = b"x" * 1_000_000
    out = []
    for start in range(0, len(line), 10):
        out.extend(lines.feed(line[start : start + 10]))
        assert lines.pending == start + 10
    out.extend(lines.feed(b"\n"))
    assert out == [line] and lines.pending == 0 and lines.rest() == b""


def test_lines_across_pieces_blank_runs_and_a_last_line_without_newline():
    lines = Lines()
    out = []
    for piece in [b'{"a"', b":1}\n\n", b"\n \r\n", b"\n\n\n\n", b'{"b":2}\r', b"\n[3]\n  ", b"tail"]:
        out.extend(lines.feed(piece))
    assert [line for line in out if not line.isspace()] == [b'{"a":1}', b'{"b":2}\r', b"[3]"]
    assert all(line for line in out)  # never an empty line (a blank one may come through: the reader skips it)
    assert lines.rest() == b"  tail"


def test_a_block_of_blank_lines_completes_the_pending_line():
    lines = Lines()
    assert list(lines.feed(b'{"a":')) == []
    assert list(lines.feed(b"\n" * 100_000)) == [b'{"a":']
    assert lines.pending == 0
