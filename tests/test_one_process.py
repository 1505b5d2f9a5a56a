"""A command runs in one process: recording a call in the history starts no other program."""

from __future__ import annotations

import json
import sys

import pytest

from explorer.history import HistoryStore

# Python's audit events for every way a process can start another one.
SPAWN_EVENTS = {"subprocess.Popen", "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.exec",
                "os.system", "os.startfile"}
_spawned: list[str] | None = None  # set while a test listens


def _listen(event: str, args: tuple) -> None:
    if _spawned is not None and event in SPAWN_EVENTS:
        _spawned.append(event)


sys.addaudithook(_listen)  # audit hooks cannot be removed: this one only records while a test listens


@pytest.fixture
def spawned():
    global _spawned
    _spawned = []
    try:
        yield _spawned
    finally:
        _spawned = None


def test_a_recorded_call_starts_no_other_process(demo_server, tmp_path, monkeypatch, spawned, capsys):
    from explorer.cli import main

    monkeypatch.setenv("PUTER_EXPLORER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PUTER_AUTH_TOKEN", demo_server.token)
    code = main(["--origin", demo_server.origin, "call", "puter-kvstore", "set", "--args", '{"key":"k","value":7}'])
    assert code == 0 and json.loads(capsys.readouterr().out) is True
    assert spawned == []
    [history] = list((tmp_path / "home").rglob("history.sqlite3"))
    with HistoryStore(history) as store:
        assert [(e.kind, e.args) for e in store.list()] == [("result", {"key": "k", "value": 7})]
