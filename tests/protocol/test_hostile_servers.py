"""A server that answers HTML, garbage, resets, hangs, redirects, bombs or floods: one clear outcome, never a crash."""

from __future__ import annotations

import asyncio
import gzip
import socket
import struct
import tracemalloc

import pytest

from explorer.protocol.client import CallRequest, Connection, Limits, Timeouts
from tests.protocol.hostile import HostileServer, answer, wait_until

TOKEN = "secret-token-value-123"
KV_GET = CallRequest("puter-kvstore", "get", {"key": "k"}, service="puter-kvstore")


async def call_against(script, tmp_path, *, limits=None, timeouts=None, request=KV_GET, on_chunk=None):
    async with HostileServer(script) as server:
        async with Connection(server.origin, token=TOKEN, download_dir=tmp_path, limits=limits,
                              timeouts=timeouts or Timeouts(read=2, connect=2, stream_read=1)) as connection:
            outcome = await connection.call(request, on_chunk=on_chunk)
        return outcome, server.requests


def assert_no_token(outcome):
    assert TOKEN not in outcome.summary
    assert TOKEN not in repr(outcome.exchange.request_headers)
    assert TOKEN not in outcome.exchange.request_body


async def test_html_500_is_an_http_failure_with_the_page_words(tmp_path):
    page = b"<html><body><h1>Internal Server Error</h1></body></html>"
    outcome, _ = await call_against(answer("500 Internal Server Error", {"Content-Type": "text/html"}, page), tmp_path)
    assert outcome.kind == "failure" and outcome.failure == "http"
    assert "HTTP 500" in outcome.message and "Internal Server Error" in outcome.message
    assert "<h1>" not in outcome.message
    assert_no_token(outcome)


async def test_garbage_instead_of_http_is_a_protocol_failure(tmp_path):
    async def garbage(reader, writer):
        writer.write(b"\x00\x01SSH-2.0-not-http\r\n\r\n\xff\xfe")
        await writer.drain()

    outcome, _ = await call_against(garbage, tmp_path)
    assert outcome.kind == "failure" and outcome.failure == "protocol"
    assert_no_token(outcome)


async def test_200_that_is_not_json_is_a_protocol_failure(tmp_path):
    outcome, _ = await call_against(answer("200 OK", {"Content-Type": "application/json"}, b"{not json"), tmp_path)
    assert outcome.kind == "failure" and outcome.failure == "protocol"
    assert "not JSON" in outcome.message


async def test_reset_before_answer_is_a_connection_failure(tmp_path):
    async def reset(reader, writer):
        writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()  # with no linger: a TCP reset

    outcome, requests = await call_against(reset, tmp_path)
    assert len(requests) == 1
    assert outcome.kind == "failure" and outcome.failure == "connect"
    assert outcome.message.startswith("the connection to http://127.0.0.1:") and "was reset: " in outcome.message
    assert_no_token(outcome)


async def test_hanging_up_before_answer_is_a_protocol_failure(tmp_path):
    async def hang_up(reader, writer):
        writer.close()

    outcome, requests = await call_against(hang_up, tmp_path)
    assert len(requests) == 1
    assert outcome.kind == "failure" and outcome.failure == "protocol"
    assert "closed the connection" in outcome.message


async def test_hang_times_out_with_a_clear_message(tmp_path):
    async def hang(reader, writer):
        await asyncio.sleep(10)

    outcome, _ = await call_against(hang, tmp_path, timeouts=Timeouts(read=0.5, connect=1))
    assert outcome.kind == "failure" and outcome.failure == "timeout"
    assert "no answer" in outcome.message and "0.5" in outcome.message


async def test_connection_refused_is_a_connect_failure(tmp_path):
    async with HostileServer(answer("200 OK", {})) as server:
        origin = server.origin
    async with Connection(origin, token=TOKEN, download_dir=tmp_path) as connection:
        outcome = await connection.call(KV_GET)
    assert outcome.kind == "failure" and outcome.failure == "connect"
    assert origin in outcome.message
    assert_no_token(outcome)


async def test_redirect_to_another_host_is_not_followed(tmp_path):
    redirect = answer("302 Found", {"Location": "http://127.0.0.2:1/steal", "Content-Type": "text/plain"}, b"moved")
    outcome, requests = await call_against(redirect, tmp_path)
    assert outcome.kind == "failure" and outcome.failure == "redirect"
    assert "127.0.0.2" in outcome.message
    assert len(requests) == 1  # nothing went anywhere else
    assert_no_token(outcome)


async def test_request_follows_the_compatibility_rules(tmp_path):
    ok = answer("200 OK", {"Content-Type": "application/json"}, b'{"success":true,"result":1,"service":{"name":"x"}}')
    request = CallRequest("puter-ocr", "recognize", {"source": "data:,"}, service="ai-ocr", test_mode=True)
    outcome, requests = await call_against(ok, tmp_path, request=request)
    assert outcome.kind == "result" and outcome.value == 1
    head, _, body = requests[0].partition(b"\r\n\r\n")
    assert b"POST /drivers/call HTTP/1.1" in head
    assert f"authorization: Bearer {TOKEN}".encode() in head.lower().replace(b"bearer", b"Bearer")
    assert b"content-type: application/json" in head.lower()
    assert b"origin: http://127.0.0.1:" in head.lower()
    import json
    sent = json.loads(body)
    assert sent["driver"] == sent["service"] == "ai-ocr"
    assert sent["test_mode"] is True and sent["args"]["test_mode"] is True
    assert "auth_token" not in sent


async def test_gzip_bomb_is_bounded(tmp_path):
    bomb = gzip.compress(b"[" + b" " * (200 * 1024 * 1024) + b"]", compresslevel=9)
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    tracemalloc.start()
    outcome, _ = await call_against(answer("200 OK", headers, bomb), tmp_path,
                                    limits=Limits(max_json_bytes=1024 * 1024, max_body_bytes=8 * 1024 * 1024))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert outcome.kind == "failure" and outcome.failure == "too_large"
    assert peak < 64 * 1024 * 1024
    assert list(tmp_path.iterdir()) == []  # the partial spill file is gone


async def test_large_json_is_saved_not_parsed(tmp_path):
    big = b'{"success":true,"result":"' + b"x" * (3 * 1024 * 1024) + b'"}'
    outcome, _ = await call_against(answer("200 OK", {"Content-Type": "application/json"}, big), tmp_path,
                                    limits=Limits(max_json_bytes=1024 * 1024))
    assert outcome.kind == "result" and outcome.value is None
    assert outcome.saved_path is not None and outcome.saved_path.read_bytes() == big
    assert "too large" in outcome.summary


async def test_50mb_binary_is_streamed_to_disk_with_bounded_memory(tmp_path):
    size = 50 * 1024 * 1024

    async def flood(reader, writer):
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: {size}\r\n"
                     'Content-Disposition: attachment; filename="../../etc/passwd"\r\n\r\n'.encode())
        block = bytes(range(256)) * 4096
        for _ in range(size // len(block)):
            writer.write(block)
            await writer.drain()

    tracemalloc.start()
    outcome, _ = await call_against(flood, tmp_path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert outcome.kind == "binary"
    assert outcome.size == size == outcome.path.stat().st_size
    assert outcome.path.parent == tmp_path and "/" not in outcome.file_name and ".." not in outcome.file_name
    assert outcome.file_name.endswith("passwd")
    assert outcome.path.stat().st_mode & 0o077 == 0
    assert peak < 16 * 1024 * 1024


async def test_body_past_the_limit_fails_as_too_large(tmp_path):
    async def flood(reader, writer):
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 20000000\r\n\r\n")
        for _ in range(20):
            writer.write(b"\0" * 1_000_000)
            await writer.drain()

    outcome, _ = await call_against(flood, tmp_path, limits=Limits(max_body_bytes=5_000_000))
    assert outcome.kind == "failure" and outcome.failure == "too_large"
    assert list(tmp_path.iterdir()) == []


async def test_stream_cut_midway_keeps_the_chunks_and_says_so(tmp_path):
    async def cut(reader, writer):
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n")
        line = b'{"type":"text","text":"Hel"}\n'
        writer.write(b"%x\r\n%s\r\n" % (len(line), line))
        await writer.drain()
        await asyncio.sleep(0.1)
        writer.transport.abort()

    seen = []
    request = CallRequest("puter-chat-completion", "complete", {"model": "fake", "stream": True})
    outcome, _ = await call_against(cut, tmp_path, request=request, on_chunk=seen.append)
    assert outcome.kind == "stream"
    assert seen == [{"type": "text", "text": "Hel"}] == outcome.chunks
    assert outcome.text == "Hel" and not outcome.complete and outcome.error


async def test_in_band_stream_error_is_reported(tmp_path):
    body = b'{"type":"text","text":"a"}\n{"type":"error","message":"provider failed"}\n'
    outcome, _ = await call_against(answer("200 OK", {"Content-Type": "application/x-ndjson"}, body), tmp_path,
                                    request=CallRequest("puter-chat-completion", "complete", {"stream": True}))
    assert outcome.kind == "stream" and outcome.error == "provider failed" and not outcome.complete


async def test_cancelling_a_call_propagates_and_leaves_no_binary(tmp_path):
    async def slow(reader, writer):
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: 1000000\r\n\r\nRIFF")
        await writer.drain()
        await asyncio.sleep(10)

    async with HostileServer(slow) as server:
        async with Connection(server.origin, token=TOKEN, download_dir=tmp_path) as connection:
            task = asyncio.create_task(connection.call(KV_GET))
            await wait_until(lambda: any(tmp_path.iterdir()), what="the binary file being written")
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    assert list(tmp_path.iterdir()) == []


async def test_unknown_content_encoding_is_a_protocol_failure_in_calls_and_discovery(tmp_path):
    brotli = answer("200 OK", {"Content-Type": "application/json", "Content-Encoding": "br"}, b"\x1b\x00\x00")
    outcome, _ = await call_against(brotli, tmp_path)
    assert outcome.kind == "failure" and outcome.failure == "protocol"
    assert "content encoding we do not decode: br" in outcome.message
    async with HostileServer(brotli) as server:
        async with Connection(server.origin, token=TOKEN, download_dir=tmp_path) as connection:
            catalog = await connection.discover()  # never raises
    assert catalog.generation is None and "content encoding" in catalog.errors[0]
