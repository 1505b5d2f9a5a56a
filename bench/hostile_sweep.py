"""Hostile answers against the real command: each case must end with a contract exit code, no traceback,
no terminal control characters from the server on the terminal, and a bounded peak RSS.

    python -m bench.hostile_sweep [--quick] [--json PATH]

Every case is a raw TCP server on 127.0.0.1 (a free port) that answers what no real Puter does on purpose;
the installed `puter-explorer` runs against it as a subprocess with a throwaway home folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path
from typing import Awaitable, Callable

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
RSS_LIMIT_MB = 300
CONTRACT_CODES = {0, 1, 2, 3}


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head + (await reader.readexactly(length) if length else b"")


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def answer(status: str, headers: dict[str, str], body: bytes) -> Script:
    async def script(reader, writer):
        writer.write(_head(status, {**headers, "Content-Length": str(len(body))}))
        for start in range(0, len(body), 1 << 20):
            writer.write(body[start : start + (1 << 20)])
            await writer.drain()

    return script


def repeated(status: str, headers: dict[str, str], block: bytes, total: int, prefix: bytes = b"") -> Script:
    """A body of `total` bytes made of `block`, sent without holding it in memory."""

    async def script(reader, writer):
        writer.write(_head(status, {**headers, "Content-Length": str(len(prefix) + total)}) + prefix)
        sent = 0
        while sent < total:
            piece = block[: total - sent]
            writer.write(piece)
            sent += len(piece)
            await writer.drain()

    return script


def endless_stream() -> Script:
    async def script(reader, writer):
        writer.write(_head("200 OK", {"Content-Type": "application/x-ndjson", "Transfer-Encoding": "chunked"}))
        line = (json.dumps({"type": "text", "text": "x" * 1000}) + "\n").encode() * 64
        chunk = f"{len(line):x}\r\n".encode() + line + b"\r\n"
        while True:
            writer.write(chunk)
            await writer.drain()

    return script


def hang() -> Script:
    async def script(reader, writer):
        await asyncio.sleep(3600)

    return script


def drip() -> Script:
    async def script(reader, writer):
        writer.write(_head("200 OK", {"Content-Type": "application/json", "Content-Length": "1000"}))
        for _ in range(1000):
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.5)

    return script


def reset() -> Script:
    async def script(reader, writer):
        writer.transport.abort()

    return script


def raw(data: bytes) -> Script:
    async def script(reader, writer):
        writer.write(data)
        await writer.drain()

    return script


def gzip_bomb(total: int) -> bytes:
    """One valid gzip member of `total` zero bytes, about 1000:1 (after a full flush deflate starts afresh,
    so every 1 MiB block compresses to the same bytes)."""
    block = b"\0" * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(total // len(block)):
        crc = zlib.crc32(block, crc)
    last = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # an empty final block
    return first + again * (total // len(block) - 1) + last + struct.pack("<II", crc, total & 0xFFFFFFFF)


def cases(quick: bool) -> dict[str, tuple[Script, list[str]]]:
    mb = 1 << 20
    big = 20 * mb if quick else 400 * mb
    envelope = lambda value: json.dumps({"success": True, "result": value}).encode()  # noqa: E731
    call = ["call", "hostile-iface", "m"]
    ok_json = {"Content-Type": "application/json"}
    hostile_catalogue = json.dumps({
        "[bold red]x[/]\x1b[2J": {"drivers": ["a"]},
        "puter-kvstore": {"drivers": "abc", "default": 7},
        "puter-chat-completion": {"drivers": [1, None, "\x1b]8;;http://evil\x07svc"], "default": ["x"]},
        "puter-tts": "not an object",
    }).encode()
    deep = b"[" * 100_000 + b"]" * 100_000
    return {
        "markup and escapes in an error": (answer("200 OK", ok_json, json.dumps({"success": False, "error": {
            "code": "[bold]x[/]", "message": "\x1b[2J\x1b]0;pwned\x07[red]boom[/]"}}).encode()), call),
        "escapes in a result": (answer("200 OK", ok_json, envelope("\x1b[31mred\x9b2J\x07")), call),
        "huge JSON": (repeated("200 OK", ok_json, b'"xxxxxxxxxxxxxxx",' * 4096, (60 * mb) // 18 * 18,
                               prefix=b'{"success":true,"result":['), call),
        "deep JSON": (answer("200 OK", ok_json, deep), call),
        "slow drip": (drip(), ["--timeout", "2"] + call),
        "hang": (hang(), ["--timeout", "2"] + call),
        "reset": (reset(), call),
        "HTML 500": (answer("500 Internal Server Error", {"Content-Type": "text/html"},
                            b"<html><h1>500</h1>\x1b[2J</html>"), call),
        "bad JSON": (answer("200 OK", ok_json, b'{"success": true, "result": [1, 2,'), call),
        "wrong envelope": (answer("200 OK", ok_json, b'{"success": "yes", "result": {"a": 1}}'), call),
        "odd error shape": (answer("400 Bad Request", ok_json, b'{"error": 123, "message": ["a", {"b": null}]}'), call),
        "traversal name": (answer("200 OK", {"Content-Type": "image/png",
                                             "Content-Disposition": 'attachment; filename="../../../etc/passwd"'},
                                  b"\x89PNG\r\n\x1a\n" + b"\0" * 100), call),
        "big binary": (repeated("200 OK", {"Content-Type": "application/octet-stream"}, b"\xab" * mb, big), call),
        "big text": (repeated("200 OK", {"Content-Type": "text/plain"}, b"line of text\n" * 4096, 50 * mb), call),
        "gzip bomb": (answer("200 OK", {**ok_json, "Content-Encoding": "gzip"},
                             gzip_bomb((512 if quick else 2048) * mb)), call),
        "endless stream": (endless_stream(), call),
        "off-origin redirect": (answer("302 Found", {"Location": "http://evil.example/steal"}, b""), call),
        "redirect loop": (answer("307 Temporary Redirect", {"Location": "/drivers/call"}, b""), call),
        "401": (answer("401 Unauthorized", ok_json, b'{"error": "token_auth_failed", "message": "bad token"}'), call),
        "429": (answer("429 Too Many Requests", {**ok_json, "Retry-After": "30"},
                       b'{"success": false, "error": {"code": "rate_limit_exceeded", "message": "slow down"}}'), call),
        "not HTTP": (raw(b"SSH-2.0-OpenSSH_9.2\r\n\x00\xff garbage"), call),
        "hostile catalogue": (answer("200 OK", ok_json, hostile_catalogue), ["interfaces"]),
    }


class Server:
    """One scripted answer per connection, in a thread of its own."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait(10)

    def _run(self) -> None:
        async def handle(reader, writer):
            try:
                await _read_request(reader)
                await self.script(reader, writer)
            except Exception:  # the client went away: that is the point of most cases
                pass
            finally:
                writer.close()

        async def main():
            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            self.ready.set()
            await asyncio.Event().wait()

        self.loop.run_until_complete(main())


def run_case(name: str, script: Script, args: list[str], command: str, deadline: float) -> dict:
    server = Server(script)
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PUTER_EXPLORER_HOME": home, "TERM": "dumb"}
        started = time.monotonic()
        process = subprocess.Popen(
            [command, "--origin", f"http://127.0.0.1:{server.port}", "--token", "tok-SECRET-123", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        out, err = bytearray(), bytearray()
        readers = [threading.Thread(target=_drain, args=(pipe, buffer), daemon=True)
                   for pipe, buffer in ((process.stdout, out), (process.stderr, err))]
        for reader in readers:
            reader.start()
        status, usage, timed_out = _wait(process.pid, started + deadline)
        if timed_out:
            process.kill()
            status, usage, _ = _wait(process.pid, time.monotonic() + 10)
        for reader in readers:
            reader.join(10)
        elapsed = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status) if status is not None else None
    rss_mb = round(usage.ru_maxrss / 1024, 1) if usage is not None else float("nan")
    problems = []
    if timed_out:
        problems.append(f"still running after {deadline:.0f} s")
    elif code not in CONTRACT_CODES:
        problems.append(f"exit {code}")
    if b"Traceback" in err:
        problems.append("traceback")
    for stream_name, data in (("stdout", out), ("stderr", err)):
        if any(control in data for control in (b"\x1b", b"\xc2\x9b", b"\x07")):
            problems.append(f"terminal control on {stream_name}")
        if b"tok-SECRET-123" in data:
            problems.append(f"token on {stream_name}")
    said = [line for line in bytes(err).decode("utf-8", "replace").splitlines() if not line.startswith("history entry")]
    last = said[-1:] or [""]
    return {"case": name, "exit": code, "seconds": round(elapsed, 2), "peak_rss_mb": rss_mb,
            "message": last[0][:100], "ok": not problems and rss_mb < RSS_LIMIT_MB, "problems": problems}


def _drain(pipe, buffer: bytearray, keep: int = 1 << 20) -> None:
    """Read a child's output to the end, keeping its first and last bytes (an endless stream is endless)."""
    while True:
        data = pipe.read1(1 << 16)
        if not data:
            return
        buffer.extend(data)
        if len(buffer) > 2 * keep:
            del buffer[keep : len(buffer) - keep]


def _wait(pid: int, until: float):
    """(status, rusage, timed out): os.wait4 gives this child's own peak RSS."""
    while time.monotonic() < until:
        waited, status, usage = os.wait4(pid, os.WNOHANG)
        if waited:
            return status, usage, False
        time.sleep(0.05)
    return None, None, True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller bodies (for CI)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--only", help="run only the cases whose name contains this")
    options = parser.parse_args()
    command = shutil.which("puter-explorer") or str(Path(sys.executable).with_name("puter-explorer"))
    results = []
    for name, (script, args) in cases(options.quick).items():
        if options.only and options.only not in name:
            continue
        result = run_case(name, script, args, command, deadline=120)
        results.append(result)
        mark = "ok " if result["ok"] else "BAD"
        print(f"{mark} {name:<30} exit {result['exit']!s:>4}  {result['seconds']:>6.2f} s  "
              f"rss<= {result['peak_rss_mb']:>6.1f} MB  {', '.join(result['problems']) or result['message']}",
              flush=True)
    if options.json:
        options.json.write_text(json.dumps(results, indent=2))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
