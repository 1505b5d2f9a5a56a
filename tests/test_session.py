"""The session records every call: pending when sent, completed with its outcome, files owned by the history."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import stat
from pathlib import Path

import pytest

from explorer.history import EntryFilter, HistoryStore
from explorer.protocol.client import Connection
from explorer.protocol.request import CallRequest
from explorer.session import Session, open_session


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


# -- a history that cannot be used never stops a call --------------------------------------------------

STREAM = CallRequest("puter-chat-completion", "complete",
                     {"model": "fake", "stream": True, "messages": [{"role": "user", "content": "x"}]})


async def stored_value(server, tmp_path, key: str):
    """What the demo server holds under `key`, asked without any history."""
    connection = Connection(server.origin, server.token, download_dir=tmp_path / "check")
    try:
        outcome = await connection.call(CallRequest("puter-kvstore", "get", {"key": key}))
    finally:
        await connection.aclose()
    assert outcome.kind == "result"
    return outcome.value


def hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's view of the history: a connection that holds the write lock until closed."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    return other


def refusing(store: HistoryStore) -> None:
    # Break the file itself, as a full disk would, so that every connection to it is refused.
    with sqlite3.connect(store.path) as other:
        other.execute("CREATE TRIGGER refuse BEFORE INSERT ON entries BEGIN SELECT RAISE(ABORT, 'no room left'); END")


@pytest.mark.parametrize("break_it, expected", [
    (refusing, "no room left"),
    ("locked", "database is locked"),
])
async def test_a_history_that_refuses_the_entry_still_sends_the_call(demo_server, tmp_path, break_it, expected):
    store = HistoryStore(tmp_path / "history.sqlite3", busy_timeout=0.2)
    session = Session(Connection(demo_server.origin, demo_server.token, download_dir=tmp_path / "r"), history=store)
    other = hold_write_lock(store.path) if break_it == "locked" else None
    if other is None:
        break_it(store)
    warnings: list[str] = []
    key = f"refused-{'-'.join(expected.split())}"
    try:
        entry_id, outcome = await session.call(
            CallRequest("puter-kvstore", "set", {"key": key, "value": "v" * 20_000}), on_warning=warnings.append
        )
    finally:
        if other is not None:
            other.close()
        await session.aclose()
    assert entry_id is None and outcome.kind == "result" and outcome.value is True
    assert len(warnings) == 1 and warnings[0].startswith("not recorded in the history: ")
    assert expected in warnings[0] and "\n" not in warnings[0]
    assert await stored_value(demo_server, tmp_path, key) == "v" * 20_000
    with HistoryStore(store.path) as reopened:
        assert reopened.list() == []


async def test_a_body_the_history_cannot_take_stays_with_the_outcome(demo_server, tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.bodies_dir.write_text("a file where the bodies folder should be")
    connection = Connection(demo_server.origin, demo_server.token, download_dir=tmp_path / "responses")
    session = Session(connection, history=store, profile="test")
    warnings: list[str] = []
    try:
        entry_id, outcome = await session.call(CallRequest("puter-tts", "synthesize", {"text": "hi"}),
                                               on_warning=warnings.append)
    finally:
        await session.aclose()
    assert entry_id is None and outcome.kind == "binary"
    assert outcome.path.read_bytes()[:4] == b"RIFF" and outcome.path.parent == tmp_path / "responses"
    assert len(warnings) == 1 and "Cannot store the body" in warnings[0]
    with HistoryStore(store.path) as reopened:
        [entry] = reopened.list()
    # The entry was begun: it says the call ended without its outcome recorded, and is not left pending.
    assert entry.kind == "failure" and entry.error_message.startswith("the outcome could not be recorded: ")


async def test_a_lock_taken_mid_call_gives_the_body_file_back(demo_server, tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3", busy_timeout=0.2)
    session = Session(Connection(demo_server.origin, demo_server.token, download_dir=tmp_path / "r"), history=store)
    held: list[sqlite3.Connection] = []

    def on_chunk(chunk) -> None:
        # Once the entry is written, lock the history before the outcome.
        if not held and store.count(EntryFilter(kind="pending")) == 1:
            held.append(hold_write_lock(store.path))

    warnings: list[str] = []
    try:
        entry_id, outcome = await session.call(STREAM, on_chunk=on_chunk, on_warning=warnings.append)
    finally:
        for other in held:
            other.close()
        await session.aclose()
    assert held and entry_id is None and outcome.kind == "stream" and outcome.complete
    assert outcome.saved_path.parent == tmp_path / "r"  # given back from bodies/ when the write failed
    lines = outcome.saved_path.read_text().splitlines()
    assert [json.loads(line) for line in lines] == list(outcome.chunks)
    assert len(warnings) == 1 and "database is locked" in warnings[0]
    assert not any(store.bodies_dir.iterdir())


async def test_a_history_slow_to_write_does_not_hold_the_call(demo_server, tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3", busy_timeout=10)
    session = Session(Connection(demo_server.origin, demo_server.token, download_dir=tmp_path / "r"), history=store)
    other = hold_write_lock(store.path)  # the writer waits for the file, as behind a slow disk
    try:
        task = asyncio.create_task(session.call(CallRequest("puter-kvstore", "set", {"key": "slow-disk", "value": 1})))
        # The request went out at once: the server has the value while the entry still waits to be written.
        assert await asyncio.wait_for(poll_stored(demo_server, tmp_path, "slow-disk"), 10) == 1
        assert not task.done()  # its entry id comes once the entry is written
        other.close()
        entry_id, outcome = await asyncio.wait_for(task, 10)
        entry = store.get(entry_id)
    finally:
        other.close()
        await session.aclose()
    assert outcome.kind == "result" and (entry.kind, entry.args) == ("result", {"key": "slow-disk", "value": 1})


async def poll_stored(server, tmp_path, key: str):
    while (value := await stored_value(server, tmp_path, key)) is None:
        await asyncio.sleep(0.05)
    return value


async def test_the_reason_given_to_cancel_is_recorded(make_demo_server, tmp_path):
    slow = make_demo_server(stream_delay=2.0)
    session = make_session(slow, tmp_path)
    first = asyncio.Event()
    try:
        task = asyncio.create_task(session.call(STREAM, on_chunk=lambda chunk: first.set()))
        await asyncio.wait_for(first.wait(), 10)
        task.cancel("terminated")
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
        [entry] = session.history.list()
    finally:
        await session.aclose()
    assert entry.kind == "failure" and entry.error_message == "terminated"


async def test_open_session_without_a_usable_data_folder(demo_server, tmp_path, monkeypatch):
    monkeypatch.setenv("PUTER_EXPLORER_HOME", str(tmp_path))
    (tmp_path / "data").write_text("a file where the data folder should be")
    session = await open_session(origin=demo_server.origin, token=demo_server.token)
    temporary = session.connection.download_dir
    try:
        assert session.history is None
        assert session.history_problem == f"Cannot create the history folder {tmp_path / 'data'}: a file is in the way."
        assert session.download_problem.startswith(f"responses are saved in {temporary} (a file is in the way")
        assert stat.S_IMODE(temporary.stat().st_mode) == 0o700
        entry_id, outcome = await session.call(CallRequest("puter-kvstore", "get", {"key": "none"}))
        assert entry_id is None and outcome.kind == "result" and outcome.value is None
    finally:
        await session.aclose()
    assert not temporary.exists()  # empty, so removed


async def test_open_session_with_a_history_that_is_not_ours(demo_server, tmp_path, monkeypatch):
    monkeypatch.setenv("PUTER_EXPLORER_HOME", str(tmp_path))
    foreign = tmp_path / "data" / "history.sqlite3"
    foreign.parent.mkdir()
    foreign.write_text("not a database")
    session = await open_session(origin=demo_server.origin, token=demo_server.token)
    try:
        assert session.history is None and "is not a SQLite database" in session.history_problem
        assert session.download_problem is None
        with pytest.raises(LookupError, match="the history could not be opened"):
            await session.replay(1)
    finally:
        await session.aclose()
    assert foreign.read_text() == "not a database"


async def test_a_hundred_calls_in_flight_each_get_their_own_completed_entry(demo_server, tmp_path):
    session = make_session(demo_server, tmp_path)
    try:
        answers = await asyncio.wait_for(asyncio.gather(*(
            session.call(CallRequest("puter-kvstore", "set", {"key": f"k{n}", "value": n})) for n in range(100)
        )), 60)
        entries = {entry.id: entry for entry in session.history.list(limit=200)}
    finally:
        await session.aclose()
    assert [outcome.kind for _id, outcome in answers] == ["result"] * 100
    ids = [entry_id for entry_id, _outcome in answers]
    assert len(set(ids)) == 100 and set(ids) == set(entries)
    assert {entries[entry_id].args["value"] for entry_id in ids} == set(range(100))
    assert all(entries[entry_id].kind == "result" and entries[entry_id].status == 200 for entry_id in ids)


async def test_a_demo_session_starts_its_server_and_stops_it_on_close(tmp_path):
    session = await open_session(demo=True, history_path=tmp_path / "history.sqlite3")
    demo = session.demo
    try:
        assert session.profile == "demo" and session.origin == demo.origin
        entry_id, outcome = await session.call(CallRequest("puter-kvstore", "get", {"key": "none"}))
        assert outcome.kind == "result" and session.entry(entry_id).kind == "result"
    finally:
        await session.aclose()
    assert session.demo is None
    with pytest.raises(OSError):  # nothing listens there any more
        socket.create_connection(("127.0.0.1", demo.port), timeout=2).close()


async def test_the_session_is_what_the_tui_expects_and_reads_the_history_for_it(demo_server, tmp_path):
    from explorer.tui.seams import ExplorerSession, HistorySource

    session = make_session(demo_server, tmp_path)
    try:
        assert isinstance(session, ExplorerSession) and isinstance(session, HistorySource)
        first, _ = await session.call(CallRequest("puter-kvstore", "set", {"key": "seam", "value": {"n": 1}}))
        second, _ = await session.call(CallRequest("puter-kvstore", "get", {"key": "seam"}))
        page = await asyncio.to_thread(session.entries, limit=1)
        older = await asyncio.to_thread(session.entries, limit=5, before_id=second)
        value = await asyncio.to_thread(session.entry_value, second)
        with pytest.raises(LookupError):
            session.entry_value(second + 100)
    finally:
        await session.aclose()
    assert [e.id for e in page] == [second] and [e.id for e in older] == [first]
    assert value == {"n": 1}


# -- replay goes where the call was made -------------------------------------------------------------


def keep_profile(home: Path, name: str, origin: str, token: str) -> None:
    from explorer.config import Profile, ProfileStore

    ProfileStore(home / "config" / "profiles.json").put(Profile(name=name, origin=origin, token=token), make_current=False)


async def test_a_replay_goes_to_the_server_the_call_was_made_on_with_that_servers_token(
    make_demo_server, tmp_path, monkeypatch
):
    monkeypatch.setenv("PUTER_EXPLORER_HOME", str(tmp_path / "home"))
    first, second = make_demo_server(), make_demo_server()  # two servers, each with its own token
    keep_profile(tmp_path / "home", "first", first.origin, first.token)
    made_on_first = Session(Connection(first.origin, first.token, download_dir=tmp_path / "r"),
                            history=HistoryStore(tmp_path / "history.sqlite3"), profile="first")
    try:
        original_id, _ = await made_on_first.call(CallRequest("puter-kvstore", "set", {"key": "where", "value": 1}))
    finally:
        await made_on_first.aclose()
    # Now connected to the second server (the default), replaying with other args.
    on_second = make_session(second, tmp_path)
    try:
        replay_id, outcome = await on_second.replay(original_id, args={"key": "where", "value": 2})
        replay = on_second.entry(replay_id)
    finally:
        await on_second.aclose()
    assert outcome.kind == "result" and outcome.value is True  # the first server took the first's token
    assert (replay.origin, replay.profile, replay.replay_of) == (first.origin, "first", original_id)
    assert await stored_value(first, tmp_path, "where") == 2
    assert await stored_value(second, tmp_path, "where") is None


async def test_a_replay_elsewhere_never_carries_the_token_of_another_origin(demo_server, tmp_path, monkeypatch):
    from tests.protocol.hostile import HostileServer, answer

    monkeypatch.setenv("PUTER_EXPLORER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PUTER_AUTH_TOKEN", raising=False)
    ok = answer("200 OK", {"Content-Type": "application/json"}, b'{"success": true, "result": true}')
    async with HostileServer(ok) as elsewhere:
        made_there = Session(Connection(elsewhere.origin, "token-of-nobody", download_dir=tmp_path / "r"),
                             history=HistoryStore(tmp_path / "history.sqlite3"), profile="gone")
        try:
            original_id, _ = await made_there.call(CallRequest("puter-kvstore", "set", {"key": "k", "value": 1}))
        finally:
            await made_there.aclose()
        elsewhere.requests.clear()
        session = make_session(demo_server, tmp_path)  # connected, with a token, to another server
        try:
            _, outcome = await session.replay(original_id)
            # Asked for explicitly: the session's own server, with its own token.
            _, here = await session.replay(original_id, origin=demo_server.origin)
        finally:
            await session.aclose()
    [request] = elsewhere.requests
    assert outcome.kind == "result" and here.kind == "result"
    assert demo_server.token.encode() not in request and b"authorization" not in request.lower()
    assert await stored_value(demo_server, tmp_path, "k") == 1


async def test_a_token_the_server_quotes_back_is_never_recorded_or_shown(tmp_path):
    from tests.protocol.hostile import HostileServer, answer

    token = "secret-token-3e8a91c2"
    quoted = json.dumps({"success": False, "error": {"code": "token_invalid", "message": f"bad token {token}",
                                                     "seen": f"Bearer {token}"}}).encode()
    echo = answer("401 Unauthorized", {"Content-Type": "application/json", "X-Seen-Token": token}, quoted)
    async with HostileServer(echo) as server:
        session = Session(Connection(server.origin, token, download_dir=tmp_path / "r"),
                          history=HistoryStore(tmp_path / "history.sqlite3"), profile="p")
        try:
            entry_id, outcome = await session.call(CallRequest("puter-kvstore", "get", {"key": "k"}))
            entry = session.entry(entry_id)
        finally:
            await session.aclose()
    assert token.encode() in server.requests[0]  # it was sent, and the server said it back
    assert outcome.kind == "driver_error" and outcome.message == "bad token <redacted>"
    assert entry.error_message == "bad token <redacted>" and "<redacted>" in entry.summary
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("history.sqlite3*"))
    assert stored.count(b"<redacted>") >= 3 and token.encode() not in stored


async def test_a_session_gone_on_without_an_unreadable_profiles_file_replays_elsewhere_without_a_token(
    make_demo_server, tmp_path, monkeypatch
):
    from explorer.config import ProfilesUnreadable, ProfileStore

    monkeypatch.setenv("PUTER_EXPLORER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PUTER_AUTH_TOKEN", raising=False)
    broken = tmp_path / "home" / "config" / "profiles.json"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"profiles": {},\n}\n')
    first, second = make_demo_server(), make_demo_server()
    made = make_session(first, tmp_path)
    try:
        original_id, _ = await made.call(CallRequest("puter-kvstore", "get", {"key": "k"}))
    finally:
        await made.aclose()
    with pytest.raises(ProfilesUnreadable):
        ProfileStore()  # what a replay elsewhere would read, were the session not given its store
    session = make_session(second, tmp_path)
    session.profiles = ProfileStore(unreadable="empty")
    try:
        _, outcome = await session.replay(original_id)  # to the first server, which keeps no token here
    finally:
        await session.aclose()
    assert outcome.kind == "driver_error" and outcome.status == 401
    assert broken.read_text() == '{"profiles": {},\n}\n'
