"""The history's writer process: records calls for an app whose event loop must not wait for the disk.

A history write costs the app's process almost nothing this way: the app sends each write down a pipe
(a few microseconds, never blocking: what the pipe cannot take yet is buffered and sent when it can) and
the writer process applies them in order, each in its own transaction, answering each with its result.
A thread would do the same work, but it shares the interpreter's lock with the event loop, and on a
small machine handing that lock back and forth on every write cost more than the write itself.

Ordering and durability:
- writes are applied in the order they were sent, so a call's outcome never lands before its entry;
- `settle()` (from another thread) and `settled()` (on the loop) wait for everything sent so far, so a
  reader sees what was written before it asked;
- the writer runs in a session of its own: the terminal's ctrl+c or hang-up does not stop it, and when
  the app ends, even by `kill -9`, it applies what it received and exits at the end of its input.

Messages are pickled: the pipe is private to this process and its child.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer.history.errors import describe_problem

log = logging.getLogger(__name__)

_HEADER = struct.Struct("<I")
_READ_SIZE = 256 * 1024
_OUTCOME_PAUSE_S = 0.002
# A problem the writer answered with, or why it is not there: said once per call that it costs.
Answer = tuple[Any, str | None]


def _frame(message: Any) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _unframe(buffer: bytearray) -> list[Any]:
    """The whole messages at the start of `buffer`, removed from it."""
    messages = []
    while len(buffer) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(buffer)
        if len(buffer) < _HEADER.size + size:
            break
        messages.append(pickle.loads(bytes(buffer[_HEADER.size : _HEADER.size + size])))
        del buffer[: _HEADER.size + size]
    return messages


@dataclass
class Begun:
    """A pending entry asked of the writer: `answer` gives (entry id or None, problem or None)."""

    seq: int
    answer: asyncio.Future[Answer]


class HistoryWriter:
    """The app's side: sends writes to the writer process and hands back its answers as futures.

    Everything but `settle()` runs on the event loop that first used it.
    """

    def __init__(self, path: Path, *, inline_limit: int, busy_timeout: float) -> None:
        self.path = Path(path)
        self._options = (str(self.path), str(inline_limit), repr(busy_timeout))
        self._process: subprocess.Popen[bytes] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unsent = bytearray()  # what the pipe could not take yet
        self._received = bytearray()
        self._answers: dict[int, asyncio.Future[Answer]] = {}
        self._seq = 0
        self._progress = threading.Condition()
        self._loop_thread: int | None = None
        self._starting = False
        self.stopped: str | None = None  # why the writer is gone, once it is

    # -- the calls a session makes ------------------------------------------------------------

    def begin(self, fields: dict[str, Any]) -> Begun:
        """Write a pending entry (HistoryStore.begin's fields)."""
        seq, answer = self._send("begin", fields)
        return Begun(seq, answer)

    def record(self, begun: Begun, fields: dict[str, Any]) -> asyncio.Future[Answer]:
        """Complete `begun` (HistoryStore.complete's fields); answers (where its body file now is, problem).

        When recording fails the entry is marked as a failure that says why, if the history allows it.
        """
        return self._send("record", begun.seq, fields)[1]

    def cancel(self, begun: Begun, reason: str) -> None:
        """Complete `begun` as a failure saying `reason` (nobody waits for it; close does)."""
        self._send("cancel", begun.seq, reason)

    async def start(self) -> None:
        """Start the writer process now, in a thread (it takes a moment to load), rather than at the first write."""
        if self._process is not None or self._starting or self.stopped is not None:
            return
        self._starting = True
        self._bind()
        try:
            process = await asyncio.to_thread(self._popen)
        except OSError as error:
            self._stop(f"the history writer could not start: {describe_problem(error)}")
            return
        finally:
            self._starting = False
        self._attach(process)

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until every write sent so far is answered; False if `timeout` passed first.

        From another thread it waits for the loop to take the answers; on the loop's own thread (a
        blocking read of the history there) it takes them itself.
        """
        target = self._seq
        if threading.get_ident() == self._loop_thread:
            return self._pump(target, timeout)
        with self._progress:
            return self._progress.wait_for(lambda: self._answered_up_to(target), timeout)

    def _answered_up_to(self, target: int) -> bool:
        """Whether every message up to `target` is answered (answers may come out of order)."""
        oldest = next(iter(self._answers), None)  # kept in the order sent: the first is the oldest
        return oldest is None or oldest > target or self.stopped is not None

    def _pump(self, target: int, timeout: float | None) -> bool:
        """On the loop's thread, blocking: send what waits and read answers until `target` is answered."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._answered_up_to(target):
            process = self._process
            if process is None or process.stdin is None or process.stdout is None:
                return False  # still starting: its answers come once the loop runs again
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            writing = [process.stdin] if self._unsent else []
            readable, writable, _ = select.select([process.stdout], writing, [], left)
            if writable:
                self._on_writable()
            if readable:
                self._on_readable()
        return True

    async def settled(self) -> None:
        """On the loop: until every write sent so far is answered."""
        if self._answers:
            await asyncio.shield(asyncio.gather(*self._answers.values()))

    async def aclose(self, timeout: float) -> None:
        """Let the writer finish what it was sent (waiting at most `timeout` seconds), then let it go."""
        for _ in range(int(timeout * 100)):
            if not self._starting:
                break
            await asyncio.sleep(0.01)  # it is being started in a thread: what was sent meanwhile waits for it
        process = self._process
        if process is None:
            return
        try:
            await asyncio.wait_for(self.settled(), timeout)
        except TimeoutError:
            log.warning("the history writer is still writing; it finishes on its own")
        self._forget_pipes()  # the writer sees the end of its input, and exits once it has written it all
        try:
            await asyncio.to_thread(process.wait, timeout)
        except subprocess.TimeoutExpired:
            pass  # it ends with its input; never killed mid-write
        self._stop("the history writer was closed", expected=True)

    # -- the pipes --------------------------------------------------------------------------------

    def _send(self, *message: Any) -> tuple[int, asyncio.Future[Answer]]:
        loop = asyncio.get_running_loop()
        self._seq += 1
        answer: asyncio.Future[Answer] = loop.create_future()
        if self.stopped is not None:
            answer.set_result((None, self.stopped))
            return self._seq, answer
        if self._process is None and not self._starting:
            self._spawn()
        with self._progress:  # other threads look at what is unanswered
            self._answers[self._seq] = answer
        self._write(_frame((self._seq, *message)))
        return self._seq, answer

    def _spawn(self) -> None:
        self._bind()
        try:
            process = self._popen()
        except OSError as error:
            self._stop(f"the history writer could not start: {describe_problem(error)}")
            return
        self._attach(process)

    def _bind(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()

    def _popen(self) -> subprocess.Popen[bytes]:
        package_root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        return subprocess.Popen(
            [sys.executable, "-m", "explorer.history.writer", *self._options],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, start_new_session=True,  # not stopped by the terminal's signals: it ends with its input
        )

    def _attach(self, process: subprocess.Popen[bytes]) -> None:
        assert self._loop is not None and process.stdin is not None and process.stdout is not None
        self._process = process
        os.set_blocking(process.stdin.fileno(), False)
        os.set_blocking(process.stdout.fileno(), False)
        self._loop.add_reader(process.stdout.fileno(), self._on_readable)
        if self._unsent:  # sent while it was starting
            self._flush_later()

    def _write(self, data: bytes) -> None:
        if self._unsent or self._process is None:  # behind what is already waiting, or starting
            self._unsent += data
            return
        assert self._process is not None and self._process.stdin is not None
        try:
            written = os.write(self._process.stdin.fileno(), data)
        except BlockingIOError:
            written = 0
        except OSError as error:
            self._stop(f"the history writer stopped: {describe_problem(error)}")
            return
        if written < len(data):
            self._unsent += data[written:]
            self._flush_later()

    def _flush_later(self) -> None:
        assert self._loop is not None and self._process is not None and self._process.stdin is not None
        self._loop.add_writer(self._process.stdin.fileno(), self._on_writable)

    def _on_writable(self) -> None:
        assert self._process is not None and self._process.stdin is not None
        try:
            written = os.write(self._process.stdin.fileno(), self._unsent)
        except BlockingIOError:
            return
        except OSError as error:
            self._stop(f"the history writer stopped: {describe_problem(error)}")
            return
        del self._unsent[:written]
        if not self._unsent:
            assert self._loop is not None
            self._loop.remove_writer(self._process.stdin.fileno())

    def _on_readable(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        try:
            data = os.read(self._process.stdout.fileno(), _READ_SIZE)
        except BlockingIOError:
            return
        except OSError as error:
            data, problem = b"", describe_problem(error)
        else:
            problem = "it ended"
        if not data:
            self._stop(f"the history writer stopped: {problem}")
            return
        self._received += data
        answered = _unframe(self._received)
        with self._progress:
            for seq, result, why in answered:
                answer = self._answers.pop(seq, None)
                if answer is not None and not answer.done():
                    answer.set_result((result, why))
            self._progress.notify_all()

    def _stop(self, reason: str, expected: bool = False) -> None:
        """The writer is gone: every write waiting for it gets `reason`, and so does every later one."""
        if self.stopped is None:
            self.stopped = reason
            if not expected:
                log.warning("%s", reason)
        self._forget_pipes()
        for answer in self._answers.values():
            if not answer.done():
                answer.set_result((None, reason))
        with self._progress:
            self._answers.clear()
            self._progress.notify_all()

    def _forget_pipes(self) -> None:
        process, loop = self._process, self._loop
        if process is None or loop is None:
            return
        for pipe, remove in ((process.stdout, loop.remove_reader), (process.stdin, loop.remove_writer)):
            if pipe is not None and not pipe.closed:
                if not loop.is_closed():
                    remove(pipe.fileno())
                pipe.close()  # the writer sees the end of its input: it finishes and exits


# -- the writer process -------------------------------------------------------------------------------


def serve(path: str, inline_limit: int, busy_timeout: float) -> None:
    """Apply the writes read from stdin, answering each on stdout, until stdin ends.

    A pending entry is written as soon as it arrives: its request waits for it. An outcome waits a
    moment (`_OUTCOME_PAUSE_S`) for a pending entry that may follow, as the next call of a caller
    making calls one after another does, and lets it go first. Writes of one entry keep their order.
    """
    from explorer.history.store import HistoryStore

    try:
        store = HistoryStore(path, inline_limit=inline_limit, busy_timeout=busy_timeout)
    except Exception as error:  # noqa: BLE001 - said to the app in every answer instead
        store, problem = None, describe_problem(error)
    else:
        problem = None
    entries: dict[int, int | None] = {}  # the entry id each begin wrote, by message number
    received = bytearray()
    todo: list[tuple[Any, ...]] = []
    reading, listening = True, True

    def read() -> None:
        nonlocal reading
        data = os.read(0, _READ_SIZE)
        if not data:
            reading = False
        received.extend(data)
        todo.extend(_unframe(received))

    while todo or reading:
        if not todo:
            read()
            continue
        begins = [message for message in todo if message[1] == "begin"]
        if not begins and reading and select.select([0], [], [], _OUTCOME_PAUSE_S)[0]:
            read()
            continue
        batch = begins or list(todo)
        for message in batch:
            todo.remove(message)
        answers = bytearray()
        for seq, op, *args in batch:
            result, why = (None, problem) if store is None else _apply(store, entries, seq, op, args)
            answers += _frame((seq, result, why))
        if listening:
            try:
                _write_all(1, answers)
            except OSError:  # the app has gone: keep applying what it sent
                listening = False
    if store is not None:
        store.close()


def _apply(store: Any, entries: dict[int, int | None], seq: int, op: str, args: list[Any]) -> Answer:
    if op == "begin":
        try:
            entries[seq] = store.begin(**args[0])
            return entries[seq], None
        except Exception as error:  # noqa: BLE001 - whatever fails, the call is still made
            entries[seq] = None
            return None, describe_problem(error)
    entry_id = entries.pop(args[0], None)
    if entry_id is None:
        return None, None  # its entry could not be written: that was said then
    if op == "record":
        try:
            moved = store.complete(entry_id, **args[1])
            return (str(moved) if moved is not None else None), None
        except Exception as error:  # noqa: BLE001 - whatever fails, the outcome is still the caller's
            problem = describe_problem(error)
        message = f"the outcome could not be recorded: {problem}"
        try:
            store.complete(entry_id, kind="failure", error_message=message, summary=message)
        except Exception:  # noqa: BLE001 - the history refuses every write: the entry stays pending, as after a crash
            pass
        return None, problem
    try:  # "cancel"
        store.complete(entry_id, kind="failure", error_message=args[1], summary=args[1])
    except Exception as error:  # noqa: BLE001 - nobody waits for it
        return None, describe_problem(error)
    return None, None


def _write_all(fd: int, data: bytes | bytearray) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
