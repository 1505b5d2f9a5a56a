"""A binary answer written straight to the caller's path, hashed on the way; and the light modules stay light."""

from __future__ import annotations

import asyncio
import hashlib
import os
import stat
import subprocess
import sys

import pytest

from explorer.protocol.bodies import WRITE_BUFFER, BodyFile
from explorer.protocol.client import CallRequest, Connection, Limits
from tests.protocol.hostile import HostileServer, answer, serve_body, wait_until

TTS = CallRequest("puter-tts", "synthesize", {"text": "hi"})
BODY = bytes(range(256)) * (WRITE_BUFFER // 256 * 2 + 123)  # past two write buffers, not a multiple of one


async def call_to(script, tmp_path, binary_path, *, limits=None):
    async with HostileServer(script) as server:
        async with Connection(server.origin, token="t", download_dir=tmp_path / "responses", limits=limits) as c:
            return await c.call(TTS, binary_path=binary_path)


def downloads(tmp_path):
    folder = tmp_path / "responses"
    return list(folder.iterdir()) if folder.exists() else []


async def test_a_binary_goes_to_the_given_path_with_its_sha256(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"an older, longer file" * 1_000_000)  # truncated, as curl -o does
    outcome = await call_to(serve_body("200 OK", {"Content-Type": "audio/mpeg"}, BODY), tmp_path, target)
    assert outcome.kind == "binary"
    assert outcome.path == target and outcome.file_name == "out.bin" and outcome.external
    assert target.read_bytes() == BODY
    assert outcome.size == len(BODY) == outcome.exchange.size
    assert outcome.sha256 == hashlib.sha256(BODY).hexdigest()
    assert outcome.head == BODY[:256]
    assert stat.S_IMODE(target.stat().st_mode) & 0o022 == 0  # no wider than 0644
    assert downloads(tmp_path) == []


async def test_without_a_path_a_binary_goes_to_the_download_folder(tmp_path):
    outcome = await call_to(serve_body("200 OK", {"Content-Type": "audio/mpeg"}, BODY), tmp_path, None)
    assert outcome.kind == "binary" and not outcome.external
    assert downloads(tmp_path) == [outcome.path] and outcome.path.read_bytes() == BODY
    assert outcome.sha256 == hashlib.sha256(BODY).hexdigest()
    assert stat.S_IMODE(outcome.path.stat().st_mode) == 0o600


async def test_an_empty_binary_still_creates_the_file(tmp_path):
    target = tmp_path / "empty.bin"
    outcome = await call_to(answer("200 OK", {"Content-Type": "image/png"}), tmp_path, target)
    assert outcome.kind == "binary" and outcome.size == 0
    assert target.read_bytes() == b"" and outcome.sha256 == hashlib.sha256(b"").hexdigest()


async def test_a_binary_past_the_limit_leaves_no_partial_file(tmp_path):
    target = tmp_path / "out.bin"
    limits = Limits(max_body_bytes=WRITE_BUFFER + 512 * 1024)  # a buffer is on disk when the cap is passed
    outcome = await call_to(serve_body("200 OK", {"Content-Type": "video/mp4"}, BODY), tmp_path, target,
                            limits=limits)
    assert outcome.kind == "failure" and outcome.failure == "too_large"
    assert not target.exists()
    assert downloads(tmp_path) == []


async def test_an_answer_that_is_not_binary_leaves_the_path_alone(tmp_path):
    target = tmp_path / "out.bin"
    body = b'{"success":true,"result":42}'
    outcome = await call_to(answer("200 OK", {"Content-Type": "application/json"}, body), tmp_path, target)
    assert outcome.kind == "result" and outcome.value == 42
    assert not target.exists()


async def test_cancelling_removes_the_partial_file(tmp_path):
    target = tmp_path / "out.bin"

    async def slow(reader, writer):
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: 100000000\r\n\r\n")
        writer.write(b"\0" * (2 * WRITE_BUFFER))
        await writer.drain()
        await asyncio.sleep(10)

    async with HostileServer(slow) as server:
        async with Connection(server.origin, token="t", download_dir=tmp_path / "responses") as connection:
            task = asyncio.create_task(connection.call(TTS, binary_path=target))
            await wait_until(target.exists, what="the binary file being written")
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    assert not target.exists()
    assert downloads(tmp_path) == []


def test_only_a_regular_file_of_the_user_is_removed(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    BodyFile(pipe, ours=False).remove()  # e.g. -o /dev/stdout: never unlinked
    assert pipe.exists()


@pytest.mark.parametrize("module", ["explorer.protocol.request", "explorer.tui.calls"])
def test_light_modules_do_not_import_httpx(module):
    code = f"import {module}, sys; assert 'httpx' not in sys.modules, 'httpx was imported'"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
