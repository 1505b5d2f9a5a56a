"""A driver server on loopback that gives heavy answers: a long stream, a big JSON result, a huge one.

Run:  python bench/heavy_server.py [--port 0] [--stream-chunks 6000] [--stream-rate 500]
                                   [--big-bytes 7600000] [--huge-bytes 60000000]
      (or `python -m bench.heavy_server ...` from the repository's root)

It prints `origin: http://127.0.0.1:PORT` once it accepts connections (payloads are built before that).
It speaks enough of the current (v2) driver protocol for the explorer:

- `GET /drivers/list-interfaces`: one interface `bench` with one service `heavy` (no methods listed,
  as the real v2 server does: open `bench.stream` / `bench.big` / `bench.huge` by name).
- `POST /drivers/call` by `method`:
  `stream`: `application/x-ndjson`, N chunks `{"type":"text","text":"zebra "}` at R chunks a second;
  `big` / `huge`: `{"success":true,"result":[...]}`, a list of small records of about that many bytes.
  `binary`: `application/octet-stream`, B bytes (default 400 MB) of pseudo-random data with a Content-Length.
  `args` may override: `{"chunks": N, "rate": R}` for a stream, `{"bytes": B}` for big / huge / binary.

Any token is accepted. `HeavyServer` runs the same server in a thread, for use from Python.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import select
import subprocess
import sys
import threading
import time
from typing import Any, AsyncIterator, Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

INTERFACE, SERVICE = "bench", "heavy"
STREAM_WORD = "zebra"  # the text of every stream chunk: easy to find on a screen
FIRST_RECORD = "bench-item-00000"  # the name of the first record of a big / huge result
DEFAULTS = {"stream_chunks": 6000, "stream_rate": 500.0, "big_bytes": 7_600_000, "huge_bytes": 60_000_000}
BINARY_BYTES = 400_000_000
BINARY_BLOCK = 1024 * 1024  # one block of random bytes, sent again and again


def binary_bytes(size: int, seed: int = 7) -> Iterator[bytes]:
    """`size` bytes in blocks; the same every time (a client's sha256 can be checked against `binary_sha256`)."""
    block = random.Random(seed).randbytes(BINARY_BLOCK)
    whole, rest = divmod(size, BINARY_BLOCK)
    for _ in range(whole):
        yield block
    if rest:
        yield block[:rest]


def binary_sha256(size: int) -> str:
    import hashlib

    digest = hashlib.sha256()
    for block in binary_bytes(size):
        digest.update(block)
    return digest.hexdigest()

_WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
          "quebec romeo sierra tango uniform victor whiskey xray yankee").split()


def record(n: int, rng: random.Random) -> dict[str, Any]:
    """One record: strings, numbers, a nested object and a list (about 16 lines when indented)."""
    return {
        "name": f"bench-item-{n:05d}",
        "id": n,
        "score": round(rng.random() * 1000, 3),
        "active": rng.random() < 0.7,
        "tags": rng.sample(_WORDS, 3),
        "owner": {"user": f"user-{rng.randrange(1000)}", "email": f"user{rng.randrange(1000)}@example.com"},
        "description": " ".join(rng.choices(_WORDS, k=8)),
    }


def envelope_bytes(size: int, seed: int = 7) -> bytes:
    """`{"success":true,"result":[records]}` of about `size` bytes (compact, as a server sends it)."""
    rng = random.Random(seed)
    sample = len(json.dumps([record(n, rng) for n in range(50)], separators=(",", ":"))) / 50
    rng = random.Random(seed)
    count = max(1, int((size - 30) / sample))
    body = {"success": True, "result": [record(n, rng) for n in range(count)]}
    return json.dumps(body, separators=(",", ":")).encode()


class Payloads:
    """Envelopes by size, built once (building 60 MB takes about a second)."""

    def __init__(self) -> None:
        self._cache: dict[int, bytes] = {}
        self._lock = threading.Lock()

    def get(self, size: int) -> bytes:
        with self._lock:
            if size not in self._cache:
                self._cache[size] = envelope_bytes(size)
            return self._cache[size]


def create_app(
    *,
    stream_chunks: int = DEFAULTS["stream_chunks"],
    stream_rate: float = DEFAULTS["stream_rate"],
    big_bytes: int = DEFAULTS["big_bytes"],
    huge_bytes: int = DEFAULTS["huge_bytes"],
    prebuild: bool = True,
) -> Starlette:
    payloads = Payloads()
    sizes = {"big": big_bytes, "huge": huge_bytes}
    if prebuild:
        for size in sizes.values():
            payloads.get(size)

    async def list_interfaces(request: Request) -> Response:
        return JSONResponse({INTERFACE: {"drivers": [SERVICE], "default": SERVICE}})

    async def call(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _error(400, "bad_request", "the body is not JSON")
        method = body.get("method") if isinstance(body, dict) else None
        args = body.get("args") if isinstance(body, dict) and isinstance(body.get("args"), dict) else {}
        if method == "stream":
            chunks = int(args.get("chunks", stream_chunks))
            rate = float(args.get("rate", stream_rate))
            return StreamingResponse(_stream(chunks, rate), media_type="application/x-ndjson")
        if method == "binary":
            size = int(args.get("bytes", BINARY_BYTES))
            return StreamingResponse(_binary(size), media_type="application/octet-stream",
                                     headers={"Content-Length": str(size)})
        if method in sizes:
            size = int(args.get("bytes", sizes[method]))
            data = await asyncio.to_thread(payloads.get, size)
            return Response(data, media_type="application/json")
        return _error(400, "no_implementation_available", f"bench has no method {method!r}")

    app = Starlette(routes=[
        Route("/drivers/list-interfaces", list_interfaces, methods=["GET"]),
        Route("/drivers/call", call, methods=["POST"]),
    ])
    app.state.payloads = payloads
    return app


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"success": False, "error": {"code": code, "message": message}}, status_code=status)


async def _binary(size: int) -> AsyncIterator[bytes]:
    for block in binary_bytes(size):
        yield block


async def _stream(chunks: int, rate: float) -> AsyncIterator[bytes]:
    line = (json.dumps({"type": "text", "text": STREAM_WORD + " "}) + "\n").encode()
    loop = asyncio.get_running_loop()
    start = loop.time()
    for n in range(chunks):
        delay = start + n / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        yield line


class HeavyServer:
    """The heavy server on 127.0.0.1 in a background thread, on a port the OS picks."""

    def __init__(self, port: int = 0, **options: Any) -> None:
        self.app = create_app(**options)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=port, log_config=None, log_level="warning",
                                access_log=False, lifespan="off", timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> HeavyServer:
        self._thread = threading.Thread(target=self._server.run, name="heavy-server", daemon=True)
        self._thread.start()
        done = threading.Event()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the heavy server could not start")
            if timeout <= 0:
                self.stop()
                raise TimeoutError("the heavy server did not start in time")
            done.wait(0.01)
            timeout -= 0.01
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> HeavyServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


@contextlib.contextmanager
def spawned(timeout: float = 60.0, **options: Any) -> Iterator[str]:
    """Run the server in its own process (so it takes no time from the measured one); yields its origin."""
    argv = [sys.executable, os.path.abspath(__file__)]
    for name, value in options.items():
        argv += [f"--{name.replace('_', '-')}", str(value)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # it needs no explorer code
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env)
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or process.poll() is not None:
                raise RuntimeError("the heavy server did not start")
            if select.select([process.stdout], [], [], min(left, 0.5))[0]:
                line += os.read(process.stdout.fileno(), 1)
        yield line.decode().split("origin:", 1)[1].strip()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--stream-chunks", type=int, default=DEFAULTS["stream_chunks"])
    parser.add_argument("--stream-rate", type=float, default=DEFAULTS["stream_rate"])
    parser.add_argument("--big-bytes", type=int, default=DEFAULTS["big_bytes"])
    parser.add_argument("--huge-bytes", type=int, default=DEFAULTS["huge_bytes"])
    options = parser.parse_args()
    server = HeavyServer(options.port, stream_chunks=options.stream_chunks, stream_rate=options.stream_rate,
                         big_bytes=options.big_bytes, huge_bytes=options.huge_bytes).start()
    print(f"origin: {server.origin}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
