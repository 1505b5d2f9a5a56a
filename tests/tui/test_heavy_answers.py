"""Big results and fast streams: shown in full, a screenful at a time, with the UI answering meanwhile."""

from __future__ import annotations

import json

from explorer.protocol.client import CallRequest
from explorer.session import open_session
from explorer.tui.app import ExplorerApp
from explorer.protocol.outcomes import StreamTail
from explorer.tui.widgets.outcome_view import OutcomeView
from tests.protocol.hostile import HostileServer, read_request

from .conftest import SIZE, ready, settle, wait_until

BIG_VALUE = [{"id": n, "name": f"item {n}", "tags": ["a", "b"], "nested": {"ok": True}} for n in range(30_000)]
STREAM_CHUNKS = 3000


def scripted(server_ref: list, big: bytes, stream: bytes):
    """Answer by path and method: discovery, a big JSON result, or a long ndjson stream."""

    async def script(reader, writer):
        request = server_ref[0].requests[-1]
        if b"/drivers/list-interfaces" in request.split(b"\r\n", 1)[0]:
            body, kind = json.dumps({"bench": {"drivers": ["heavy"], "default": "heavy"}}).encode(), "application/json"
        elif b'"method": "stream"' in request:
            body, kind = stream, "application/x-ndjson"
        else:
            body, kind = big, "application/json"
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
        writer.write(head.encode())
        for start in range(0, len(body), 64 * 1024):  # in pieces, as a real server sends it
            writer.write(body[start : start + 64 * 1024])
            await writer.drain()

    return script


async def heavy_app(explorer_home):
    big = json.dumps({"success": True, "result": BIG_VALUE}).encode()
    stream = b"".join(json.dumps({"type": "text", "text": f"w{n} "}).encode() + b"\n" for n in range(STREAM_CHUNKS))
    ref: list = []
    server = HostileServer(scripted(ref, big, stream))
    ref.append(server)
    await server.__aenter__()

    async def factory():
        return await open_session(origin=server.origin, token="tok", history_path=explorer_home / "h.sqlite3")

    return server, ExplorerApp(session_factory=factory)


async def test_a_big_result_is_shown_in_full_and_can_be_searched_and_copied(explorer_home):
    server, app = await heavy_app(explorer_home)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await ready(app, pilot)
            call = screen.start_call(CallRequest("bench", "big", {}))
            await settle(app, pilot)
            assert call.kind == "result" and call.outcome.value == BIG_VALUE
            view = screen.query_one(OutcomeView)
            await wait_until(pilot, lambda: not view.busy, what="the result to be formatted")
            assert view.body.lines == json.dumps(BIG_VALUE, indent=2).split("\n")
            assert view.body.row_count >= len(view.body.lines)
            view.body.focus()
            await pilot.press("slash", *"item 29999", "enter")
            target = view.body.lines.index('    "name": "item 29999",')
            await wait_until(pilot, lambda: view.body.row_position(view.body.cursor)[0] == target, what="the match")
            await pilot.press("escape")  # close the find box, back in the result
            view.body.focus()
            await pilot.press("c")
            assert app.clipboard == '    "name": "item 29999",'
    finally:
        await server.__aexit__(None, None, None)


async def test_a_fast_stream_is_redrawn_a_few_times_a_second_not_per_chunk(explorer_home, monkeypatch):
    server, app = await heavy_app(explorer_home)
    flushes: list[int] = []
    original = OutcomeView.flush_stream

    def counting(self, call):
        flushes.append(call.stream.chunk_count)
        original(self, call)

    monkeypatch.setattr(OutcomeView, "flush_stream", counting)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await ready(app, pilot)
            call = screen.start_call(CallRequest("bench", "stream", {"stream": True}))
            await settle(app, pilot)
            assert call.kind == "stream" and call.outcome.chunk_count == STREAM_CHUNKS
            assert len(flushes) < STREAM_CHUNKS / 10  # coalesced: many chunks per redraw
            view = screen.query_one(OutcomeView)
            await wait_until(pilot, lambda: not view.busy, what="the final view")
            expected = "".join(f"w{n} " for n in range(STREAM_CHUNKS))
            assert view.body.text == expected
            assert view.chunk_log.line_count <= StreamTail().chunks.maxlen + 1
    finally:
        await server.__aexit__(None, None, None)
