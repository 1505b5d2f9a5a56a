"""Several real processes on one history file: concurrent writers, and processes killed mid-call.

A process is killed the hardest way the platform has (SIGKILL; TerminateProcess on Windows): it gets no
chance to close or flush anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from explorer.history import EntryFilter, HistoryStore

REPO_ROOT = Path(__file__).resolve().parents[2]


def start_python(code: str) -> subprocess.Popen:
    return start([sys.executable, "-c", textwrap.dedent(code)])


def start(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    return subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": path, **(env or {})},
    )


def run_then_kill(code: str) -> str:
    """Run `code` in a process, kill it as soon as it prints a line, and give that line."""
    return kill_after_first_line(start_python(code))


def kill_after_first_line(victim: subprocess.Popen) -> str:
    try:
        line = victim.stdout.readline()
        assert line.strip(), victim.stderr.read()
        victim.kill()  # SIGKILL; TerminateProcess on Windows
        victim.wait(timeout=30)
        assert victim.returncode != 0  # killed, not ended by itself
    finally:
        if victim.poll() is None:
            victim.kill()
        victim.communicate()
    return line


WRITER = """
    import sys
    from explorer.history import HistoryStore
    store = HistoryStore({path!r})
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    for n in range({count}):
        entry_id = store.begin(origin="http://127.0.0.1", profile={name!r}, interface="puter-kvstore",
                               service="puter-kvstore", method="set", args_json='{{"n": %d}}' % n,
                               test_mode=False, request_body="{{}}")
        store.complete(entry_id, kind="result", status=200, result_text="true", summary={name!r})
    store.close()
    print("done", flush=True)
"""


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "history.sqlite3"  # both processes create and initialise it at the same time
    writers = [start_python(WRITER.format(path=str(path), count=200, name=name)) for name in ("first", "second")]
    try:
        for writer in writers:
            assert writer.stdout.readline().strip() == "ready", writer.stderr.read()
        for writer in writers:
            writer.stdin.write("go\n")
            writer.stdin.flush()
        for writer in writers:
            out, err = writer.communicate(timeout=120)
            assert writer.returncode == 0, err
            assert out.strip() == "done"
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
    with HistoryStore(path) as store:
        assert store.count() == 400
        assert store.count(EntryFilter(kind="result")) == 400
        assert store.count(EntryFilter(text="first")) == 200
        assert store.count(EntryFilter(text="second")) == 200


def test_a_process_killed_during_a_call_leaves_the_request_pending(tmp_path):
    path = tmp_path / "history.sqlite3"
    line = run_then_kill(f"""
        import sys, time
        from explorer.history import HistoryStore
        store = HistoryStore({str(path)!r})
        entry_id = store.begin(origin="http://127.0.0.1", profile="default", interface="puter-chat-completion",
                               service="openai-completion", method="complete", args_json='{{"prompt": "long one"}}',
                               test_mode=True, request_body='{{"interface": "puter-chat-completion"}}')
        print(entry_id, flush=True)
        time.sleep(120)  # waiting for an answer that never comes
    """)
    assert line.strip().isdigit()
    entry_id = int(line)
    assert Path(f"{path}-wal").exists()  # the process died without checkpointing
    with HistoryStore(path) as store:
        entry = store.get(entry_id)
        assert entry is not None and entry.kind == "pending"
        assert entry.args == {"prompt": "long one"} and entry.test_mode
        assert [e.id for e in store.list(filter=EntryFilter(kind="pending"))] == [entry_id]


def test_a_completed_call_survives_its_process_being_killed_at_once(tmp_path):
    # synchronous=NORMAL skips the fsync, not the write: a commit is in the WAL when complete() returns.
    path = tmp_path / "history.sqlite3"
    line = run_then_kill(f"""
        import sys, time
        from explorer.history import HistoryStore
        store = HistoryStore({str(path)!r})
        ids = []
        for n in range(20):
            entry_id = store.begin(origin="http://127.0.0.1", profile="default", interface="puter-kvstore",
                                   service="", method="get", args_json='{{"n": %d}}' % n, test_mode=False,
                                   request_body="{{}}")
            store.complete(entry_id, kind="result", status=200, result_text='{{"value": %d}}' % n, summary="ok")
            ids.append(entry_id)
        print(" ".join(map(str, ids)), flush=True)
        time.sleep(120)  # killed before it closes the store
    """)
    ids = [int(word) for word in line.split()]
    with HistoryStore(path) as store:
        entries = [store.get(entry_id) for entry_id in ids]
    assert [(e.kind, e.status, e.result_inline) for e in entries] == [
        ("result", 200, '{"value": %d}' % n) for n in range(20)
    ]
