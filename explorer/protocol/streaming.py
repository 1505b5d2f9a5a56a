"""Reading an ndjson stream: chunks delivered as they arrive, a bounded tail kept, the raw lines saved."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable

import httpx

from .bodies import BodyFile, BodySink, TooLarge
from .decoding import Lines, decoded_chunks, parse_json, with_idle_timeout
from .outcomes import Exchange, Stream, StreamTail
from .request import Limits
from .transport import transport_failure

ChunkCallback = Callable[[Any], None]
STREAM_TURN_EVERY = 256  # stream chunks delivered between two turns given back to the loop


async def read_stream(
    response: httpx.Response,
    exchange: Exchange,
    path: Path,
    on_chunk: ChunkCallback | None,
    *,
    cap: int,
    limits: Limits,
    idle_timeout: float,
    origin: str,
    redact: Callable[[str], str],
) -> Stream:
    """Chunks as they arrive: memory keeps a bounded tail, the raw ndjson goes to `path` as it comes.

    What arrived is kept whether or not the stream completes; a stream that breaks off says why in `error`.
    """
    tail = StreamTail(limits.max_stream_text, limits.max_stream_chunks)
    lines = Lines()
    sink = BodySink(cap=min(cap, limits.max_stream_bytes), head_bytes=limits.head_bytes, file=BodyFile(path, ours=True))
    problem: str | None = None

    async def deliver(line: bytes) -> None:
        if line.isspace():
            return
        try:
            chunk: Any = await parse_json(line)
        except ValueError:
            chunk = line.decode("utf-8", "replace")
        tail.add(chunk)
        if on_chunk is not None:
            on_chunk(chunk)
        if tail.chunk_count % STREAM_TURN_EVERY == 0:
            await asyncio.sleep(0)  # a block can hold thousands of chunks: let a UI on this loop draw

    try:
        try:
            async for data in with_idle_timeout(decoded_chunks(response), idle_timeout):
                await sink.add(data)
                for line in lines.feed(data):
                    await deliver(line)
                if lines.pending > limits.max_line_bytes:
                    raise TooLarge()
            last = lines.rest()
            if last:
                await deliver(last)
        except TooLarge:
            problem = f"the stream went past the size limit after {sink.size} bytes"
        except TimeoutError:
            problem = f"no chunk for {idle_timeout:g} s; the stream was abandoned"
        except httpx.DecodingError as exc:
            problem = transport_failure(exc, origin)[1]
        except httpx.HTTPError as exc:
            problem = "the connection was cut during the stream: " + redact(transport_failure(exc, origin)[1])
        await sink.finish()  # what arrived is kept, complete or not
    except BaseException:
        await sink.discard()
        raise
    exchange.size = sink.size
    exchange.body_head = bytes(sink.head)
    return Stream(
        exchange,
        chunks=list(tail.chunks),
        text=tail.text,
        error=problem or tail.error,
        complete=problem is None and tail.error is None,
        saved_path=path,
        chunk_count=tail.chunk_count,
        text_chars=tail.text_chars,
    )
