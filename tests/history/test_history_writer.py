"""The history's writer process: what a session sends it is written, in order, whatever happens to the app."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

from explorer.history import EntryFilter, HistoryStore
from explorer.protocol.client import Connection
from explorer.protocol.request import CallRequest
from explorer.session import Session

from .test_history_processes import run_then_kill


def make_session(server, tmp_path) -> Session:
    store = HistoryStore(tmp_path / "history.sqlite3")
    return Session(Connection(server.origin, server.token, download_dir=tmp_path / "r"), history=store)


def wait_until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie of an ended process still answers: look at its state.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


async def test_calls_one_after_another_are_all_recorded_in_their_order(demo_server, tmp_path):
    session = make_session(demo_server, tmp_path)
    try:
        ids = []
        for n in range(30):
            entry_id, outcome = await session.call(CallRequest("puter-kvstore", "set", {"key": f"k{n}", "value": n}))
            assert outcome.kind == "result"
            ids.append(entry_id)
        entries = session.entries(limit=50)  # a read sees every write sent before it
    finally:
        await session.aclose()
    assert [e.id for e in reversed(entries)] == ids == sorted(ids)
    assert [(e.kind, e.args) for e in reversed(entries)] == [("result", {"key": f"k{n}", "value": n}) for n in range(30)]


async def test_a_read_from_another_thread_waits_for_the_outcome(demo_server, tmp_path):
    session = make_session(demo_server, tmp_path)
    try:
        entry_id, _outcome = await session.call(CallRequest("puter-kvstore", "get", {"key": "nothing"}))
        entry = await asyncio.to_thread(session.entry, entry_id)
    finally:
        await session.aclose()
    assert entry.kind == "result" and entry.result_inline == "null"


async def test_writes_larger_than_the_pipe_go_through_without_blocking_the_loop(demo_server, tmp_path):
    session = make_session(demo_server, tmp_path)
    value = "v" * 3_000_000  # the pending entry alone is twice that: far more than a pipe holds
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    ticker = asyncio.create_task(ticking())
    try:
        entry_id, outcome = await session.call(CallRequest("puter-kvstore", "set", {"key": "big", "value": value}))
        entry = session.entry(entry_id)
    finally:
        ticker.cancel()
        await session.aclose()
    assert entry.kind == outcome.kind  # the demo may refuse so large a value: it is recorded either way
    assert entry.args == {"key": "big", "value": value}
    assert ticks > 0


async def test_a_writer_that_dies_costs_the_record_not_the_call(demo_server, tmp_path):
    session = make_session(demo_server, tmp_path)
    warnings: list[str] = []
    try:
        first_id, _ = await session.call(CallRequest("puter-kvstore", "set", {"key": "before", "value": 1}))
        session._writer._process.kill()
        await asyncio.to_thread(session._writer._process.wait, 10)
        entry_id, outcome = await session.call(
            CallRequest("puter-kvstore", "set", {"key": "after", "value": 2}), on_warning=warnings.append
        )
        later_id, _ = await session.call(
            CallRequest("puter-kvstore", "get", {"key": "after"}), on_warning=warnings.append
        )
    finally:
        await session.aclose()
    assert first_id is not None and entry_id is None and later_id is None
    assert outcome.kind == "result" and outcome.value is True
    assert len(warnings) == 2 and all(w.startswith("not recorded in the history: the history writer stopped") for w in warnings)
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        assert [e.args for e in store.list()] == [{"key": "before", "value": 1}]


CALLER = """
    import asyncio, sys
    from explorer.history import HistoryStore
    from explorer.protocol.client import Connection
    from explorer.protocol.request import CallRequest
    from explorer.session import Session

    async def main():
        session = Session(Connection({origin!r}, {token!r}, download_dir={downloads!r}),
                          history=HistoryStore({path!r}))
        ids = []
        for n in range(20):
            entry_id, outcome = await session.call(CallRequest("puter-kvstore", "set", {{"key": "n", "value": n}}))
            ids.append(entry_id)
        print(session._writer._process.pid, *ids, flush=True)
        await asyncio.sleep(120)  # killed before it closes anything

    asyncio.run(main())
"""


def test_outcomes_sent_before_the_app_is_killed_are_written_all_the_same(demo_server, tmp_path):
    path = tmp_path / "history.sqlite3"
    # Killed right after the last call returned, its outcome perhaps not yet written.
    line = run_then_kill(CALLER.format(origin=demo_server.origin, token=demo_server.token,
                                       downloads=str(tmp_path / "r"), path=str(path)))
    writer_pid, *ids = (int(word) for word in line.split())
    assert wait_until(lambda: gone(writer_pid))  # it wrote what it had and ended with its input
    with HistoryStore(path) as store:
        entries = [store.get(entry_id) for entry_id in ids]
        assert store.count(EntryFilter(kind="pending")) == 0
    assert [(e.kind, json.loads(e.result_inline)) for e in entries] == [("result", True)] * 20
    assert [e.args["value"] for e in entries] == list(range(20))


SLOW_CALLER = """
    import asyncio, sys
    from explorer.history import HistoryStore
    from explorer.protocol.client import Connection
    from explorer.protocol.request import CallRequest
    from explorer.session import Session

    async def main():
        session = Session(Connection({origin!r}, {token!r}, download_dir={downloads!r}),
                          history=HistoryStore({path!r}))
        request = CallRequest("puter-chat-completion", "complete",
                              {{"model": "fake", "stream": True, "messages": [{{"role": "user", "content": "long one"}}]}})
        said = []

        def first_chunk(chunk):
            if not said:  # the request is out and being answered: kill me now
                said.append(1)
                print(session._writer._process.pid, flush=True)

        await session.call(request, on_chunk=first_chunk)

    asyncio.run(main())
"""


def test_an_app_killed_during_a_call_leaves_the_call_pending(make_demo_server, tmp_path):
    slow = make_demo_server(stream_delay=1.0)
    path = tmp_path / "history.sqlite3"
    line = run_then_kill(SLOW_CALLER.format(origin=slow.origin, token=slow.token,
                                            downloads=str(tmp_path / "r"), path=str(path)))
    assert wait_until(lambda: gone(int(line)))
    with HistoryStore(path) as store:
        [entry] = store.list()
    assert entry.kind == "pending" and entry.method == "complete"
    assert entry.args["messages"] == [{"role": "user", "content": "long one"}]


async def test_the_writer_process_is_not_given_the_token(demo_server, tmp_path, monkeypatch):
    monkeypatch.setenv("PUTER_AUTH_TOKEN", "secret-token-for-the-app-only")
    session = make_session(demo_server, tmp_path)
    try:
        await session.call(CallRequest("puter-kvstore", "get", {"key": "k"}))
        environment = Path(f"/proc/{session._writer._process.pid}/environ").read_bytes()
    finally:
        await session.aclose()
    assert b"PYTHONPATH=" in environment  # what it needs, it has
    assert b"secret-token-for-the-app-only" not in environment
