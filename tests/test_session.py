"""The session records every call: pending when sent, completed with its outcome, files owned by the history."""

from __future__ import annotations

import asyncio
import stat

from explorer.history import HistoryStore
from explorer.protocol.client import CallRequest, Connection
from explorer.session import Session


def make_session(server, tmp_path, downloads=None) -> Session:
    store = HistoryStore(tmp_path / "history.sqlite3")
    connection = Connection(server.origin, server.token, download_dir=downloads or tmp_path / "responses")
    return Session(connection, history=store, profile="test")


async def test_binary_moves_into_the_history_and_the_outcome_follows(demo_server, tmp_path):
    session = make_session(demo_server, tmp_path)
    try:
        entry_id, outcome = await session.call(CallRequest("puter-tts", "synthesize", {"text": "hi"}))
        entry = session.entry(entry_id)
    finally:
        await session.aclose()
    assert outcome.kind == entry.kind == "binary"
    assert str(outcome.path) == entry.body_path and outcome.path.exists()
    assert entry.body_sha256 == outcome.sha256
    assert stat.S_IMODE(outcome.path.stat().st_mode) == 0o600
    assert not any((tmp_path / "responses").iterdir())


async def test_cancelled_call_is_recorded_as_a_failure(make_demo_server, tmp_path):
    slow = make_demo_server(stream_delay=1.0)
    session = make_session(slow, tmp_path)
    try:
        request = CallRequest("puter-chat-completion", "complete",
                              {"model": "fake", "stream": True, "messages": [{"role": "user", "content": "x"}]})
        task = asyncio.create_task(session.call(request))
        await asyncio.sleep(0.5)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        entry = session.history.list(limit=1)[0]
    finally:
        await session.aclose()
    assert entry.kind == "failure" and entry.error_message == "cancelled by the user"


async def test_a_local_error_still_gives_a_recorded_failure(demo_server, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the download folder should be")
    session = make_session(demo_server, tmp_path, downloads=blocked)
    try:
        entry_id, outcome = await session.call(CallRequest("puter-tts", "synthesize", {"text": "hi"}))
        entry = session.entry(entry_id)
    finally:
        await session.aclose()
    assert outcome.kind == "failure" and "could not be completed here" in outcome.message
    assert entry.kind == "failure"


async def test_stream_is_recorded_and_searchable(demo_server, tmp_path):
    from explorer.history import EntryFilter

    session = make_session(demo_server, tmp_path)
    try:
        request = CallRequest("puter-chat-completion", "complete",
                              {"model": "fake", "stream": True, "messages": [{"role": "user", "content": "wombat"}]})
        entry_id, outcome = await session.call(request)
        found = session.history.list(filter=EntryFilter(text="wombat"))
    finally:
        await session.aclose()
    assert outcome.kind == "stream" and outcome.complete
    assert [e.id for e in found] == [entry_id]


async def test_stream_body_is_a_file_and_its_text_is_searchable(demo_server, tmp_path):
    from explorer.history import EntryFilter

    session = make_session(demo_server, tmp_path)
    try:
        request = CallRequest("puter-chat-completion", "complete",
                              {"model": "fake", "stream": True, "messages": [{"role": "user", "content": "x"}]})
        entry_id, outcome = await session.call(request)
        entry = session.entry(entry_id)
        word = outcome.text.split()[3].strip(".,:")
        found = session.history.list(filter=EntryFilter(text=word))
    finally:
        await session.aclose()
    lines = [line for line in open(entry.body_path, encoding="utf-8").read().splitlines() if line.strip()]
    assert len(lines) == len(outcome.chunks) and entry.result_inline == outcome.text
    assert entry_id in [e.id for e in found]
