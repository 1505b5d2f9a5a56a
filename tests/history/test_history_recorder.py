"""A session records its calls in its own process: in order, without waiting on the disk, surviving a kill."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import threading
import time
from contextlib import closing

from explorer.history import EntryFilter, HistoryStore
from explorer.protocol.client import Connection
from explorer.protocol.request import CallRequest
from explorer.session import Session

from .test_history_processes import kill_after_first_line, run_then_kill, start


def make_session(server, tmp_path) -> Session:
    store = HistoryStore(tmp_path / "history.sqlite3")
    return Session(Connection(server.origin, server.token, download_dir=tmp_path / "r"), history=store)


def writing_threads(store: HistoryStore) -> list[tuple[str, str]]:
    """(first statement, thread name) of every write transaction the store makes from now on."""
    seen: list[tuple[str, str]] = []
    opened = []

    def trace(statement: str) -> None:
        if statement == "BEGIN IMMEDIATE":
            opened.append(True)
        elif opened and statement.split(" ", 1)[0] in ("INSERT", "UPDATE"):
            opened.clear()
            seen.append((statement.split(" ", 1)[0], threading.current_thread().name))

    store._conn.set_trace_callback(trace)
    return seen


async def test_calls_one_after_another_are_all_recorded_in_their_order(demo_server, tmp_path):
    session = make_session(demo_server, tmp_path)
    try:
        ids = []
        for n in range(30):
            entry_id, outcome = await session.call(CallRequest("puter-kvstore", "set", {"key": f"k{n}", "value": n}))
            assert outcome.kind == "result"
            ids.append(entry_id)
        entries = await asyncio.to_thread(session.entries, limit=50)  # a read from a worker thread
    finally:
        await session.aclose()
    assert [e.id for e in reversed(entries)] == ids == sorted(ids)
    assert [(e.kind, e.args) for e in reversed(entries)] == [("result", {"key": f"k{n}", "value": n}) for n in range(30)]


async def test_small_writes_are_made_at_once_and_large_ones_by_the_writer_thread(demo_server, tmp_path):
    session = make_session(demo_server, tmp_path)
    seen = writing_threads(session.history)
    loop_thread = threading.current_thread().name
    try:
        await session.call(CallRequest("puter-kvstore", "set", {"key": "small", "value": 1}))
        small = list(seen)
        seen.clear()
        big = "v" * 3_000_000  # the pending entry alone is twice that
        entry_id, outcome = await session.call(CallRequest("puter-kvstore", "set", {"key": "big", "value": big}))
        entry = session.entry(entry_id)
    finally:
        await session.aclose()
    assert small == [("INSERT", loop_thread), ("UPDATE", loop_thread)]  # two short commits, inline
    # The pending entry of 6 MB is written by the writer thread; its outcome ("true") inline again.
    assert [verb for verb, _ in seen] == ["INSERT", "UPDATE"]
    assert seen[0][1].startswith("history-writer") and seen[1][1] == loop_thread
    assert entry.kind == outcome.kind and entry.args == {"key": "big", "value": big}


async def test_a_history_that_fails_once_is_tried_again_at_the_next_call(demo_server, tmp_path):
    session = make_session(demo_server, tmp_path)
    warnings: list[str] = []
    other = sqlite3.connect(session.history.path, isolation_level=None)
    try:
        other.execute("CREATE TRIGGER refuse BEFORE INSERT ON entries BEGIN SELECT RAISE(ABORT, 'no room left'); END")
        refused_id, refused = await session.call(
            CallRequest("puter-kvstore", "set", {"key": "during", "value": 1}), on_warning=warnings.append
        )
        other.execute("DROP TRIGGER refuse")
        entry_id, outcome = await session.call(
            CallRequest("puter-kvstore", "get", {"key": "during"}), on_warning=warnings.append
        )
        entries = session.entries(limit=10)
    finally:
        other.close()
        await session.aclose()
    assert refused_id is None and refused.kind == "result"  # the call was made all the same
    assert len(warnings) == 1 and "no room left" in warnings[0]
    assert entry_id is not None and outcome.value == 1
    assert [(e.id, e.kind, e.args) for e in entries] == [(entry_id, "result", {"key": "during"})]


async def test_an_entry_queued_behind_another_programs_lock_is_written_once_the_lock_goes(demo_server, tmp_path):
    session = make_session(demo_server, tmp_path)
    other = sqlite3.connect(session.history.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        task = asyncio.create_task(session.call(CallRequest("puter-kvstore", "set", {"key": "held", "value": 1})))
        done, _ = await asyncio.wait({task}, timeout=2.5)
        assert not done  # sent after a second, but its entry waits for the lock
        other.execute("COMMIT")
        entry_id, outcome = await asyncio.wait_for(task, 20)
    finally:
        other.close()
        await session.aclose()
    assert outcome.kind == "result" and entry_id is not None
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        assert (store.get(entry_id).kind, store.get(entry_id).args) == ("result", {"key": "held", "value": 1})


def wait_until(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def pending_entries(home) -> int:
    """Pending entries in the history under `home`, read as another program would (0 before it exists)."""
    found = list(home.rglob("history.sqlite3"))
    if not found or found[0].stat().st_size == 0:
        return 0
    with closing(sqlite3.connect(f"file:{found[0]}?mode=ro", uri=True)) as reader:
        try:
            return reader.execute("SELECT count(*) FROM entries WHERE kind='pending'").fetchone()[0]
        except sqlite3.OperationalError:  # the schema is being created
            return 0


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
        print(*ids, flush=True)
        await asyncio.sleep(120)  # killed before it closes anything

    asyncio.run(main())
"""


def test_calls_that_returned_before_the_app_is_killed_are_all_recorded(demo_server, tmp_path):
    path = tmp_path / "history.sqlite3"
    line = run_then_kill(CALLER.format(origin=demo_server.origin, token=demo_server.token,
                                       downloads=str(tmp_path / "r"), path=str(path)))
    ids = [int(word) for word in line.split()]
    with HistoryStore(path) as store:
        entries = [store.get(entry_id) for entry_id in ids]
        assert store.count(EntryFilter(kind="pending")) == 0
    assert [(e.kind, json.loads(e.result_inline)) for e in entries] == [("result", True)] * 20
    assert [e.args["value"] for e in entries] == list(range(20))


def test_a_cli_call_killed_in_flight_leaves_its_entry_pending(make_demo_server, tmp_path):
    slow = make_demo_server(stream_delay=5.0)  # the stream's chunks come 5 s apart: the call stays in flight
    home = tmp_path / "home"
    args = json.dumps({"model": "fake", "stream": True, "messages": [{"role": "user", "content": "long one"}]})
    victim = start(
        [sys.executable, "-m", "explorer", "--origin", slow.origin, "call", "puter-chat-completion", "complete",
         "--args", args],
        env={"PUTER_EXPLORER_HOME": str(home), "PUTER_AUTH_TOKEN": slow.token},
    )
    try:
        # The entry is committed before the request leaves; the answer takes seconds after that.
        assert wait_until(lambda: pending_entries(home) == 1 or victim.poll() is not None)
        assert victim.poll() is None, victim.communicate()[1]
    finally:
        victim.kill()  # SIGKILL; TerminateProcess on Windows
        victim.communicate(timeout=30)
    [history] = list(home.rglob("history.sqlite3"))
    with HistoryStore(history) as store:
        [entry] = store.list()
    assert entry.kind == "pending" and (entry.interface, entry.method) == ("puter-chat-completion", "complete")
    assert entry.args["messages"] == [{"role": "user", "content": "long one"}]
