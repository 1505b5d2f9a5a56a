"""The history's writer process: records calls for an app whose event loop must not wait for the disk.

A history write costs the app's process almost nothing this way: the app sends each write down a pipe
(a few microseconds, never blocking: what the pipe cannot take yet is buffered and sent when it can) and
the writer process applies them, answering each with its result.
A thread would do the same work, but it shares the interpreter's lock with the event loop, and on a
small machine handing that lock back and forth on every write cost more than the write itself.

Ordering and durability:
- the writes of one entry are applied in the order they were sent (its outcome never lands before it),
  and outcomes arriving one after another are written together, in one transaction;
- `settle()` (from another thread) and `settled()` (on the loop) wait for everything sent so far, so a
  reader sees what was written before it asked;
- the writer runs in a session of its own: the terminal's ctrl+c or hang-up does not stop it, and when
  the app ends, even by `kill -9`, it applies what it received and exits at the end of its input.

The writer process itself is `writer_process`, which loads neither asyncio nor anything of the app's.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer.history.errors import describe_problem
from explorer.history.writer_process import READ_SIZE, Answer, frame, unframe

log = logging.getLogger(__name__)


@dataclass
class Begun:
    """A pending entry sent to the writer.

    `handed` is None once the whole message is in the pipe (as it is at once, unless the pipe is full or
    the writer is starting), else a future done when it is: from then on it is written even if the app
    is killed. `answer` gives (entry id or None, problem or None) once it is written.
    """

    seq: int
    answer: asyncio.Future[Answer]
    handed: asyncio.Future[None] | None


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
        self._framed = 0  # bytes sent so far, and how many of them the pipe has taken
        self._piped = 0
        self._handing: collections.deque[tuple[int, asyncio.Future[None]]] = collections.deque()
        self._received = bytearray()
        self._answers: dict[int, asyncio.Future[Answer]] = {}
        self._seq = 0
        self._progress = threading.Condition()
        self._loop_thread: int | None = None
        self._starting: asyncio.Task[None] | None = None
        self.stopped: str | None = None  # why the writer is gone, once it is

    # -- the calls a session makes ------------------------------------------------------------

    def begin(self, fields: dict[str, Any]) -> Begun:
        """Write a pending entry (HistoryStore.begin's fields)."""
        seq, answer = self._send("begin", fields)
        handed = None
        if self._piped < self._framed and self.stopped is None:
            handed = answer.get_loop().create_future()
            self._handing.append((self._framed, handed))
        return Begun(seq, answer, handed)

    def record(self, begun: Begun, fields: dict[str, Any]) -> asyncio.Future[Answer]:
        """Complete `begun` (HistoryStore.complete's fields); answers (where its body file now is, problem).

        When recording fails the entry is marked as a failure that says why, if the history allows it.
        """
        return self._send("record", begun.seq, fields)[1]

    def cancel(self, begun: Begun, reason: str) -> None:
        """Complete `begun` as a failure saying `reason` (nobody waits for it; close does)."""
        self._send("cancel", begun.seq, reason)

    async def start(self) -> None:
        """Start the writer process now (it takes a moment to load), rather than at the first write."""
        self._launch()
        if self._starting is not None:
            await asyncio.shield(self._starting)

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
        if self._starting is not None:  # what was sent meanwhile waits for it
            await asyncio.wait({self._starting}, timeout=timeout)
        process = self._process
        if process is None:
            return
        try:
            await asyncio.wait_for(self.settled(), timeout)
        except TimeoutError:
            log.warning("the history writer is still writing; it finishes on its own")
        self._forget_pipes()  # the writer sees the end of its input, and exits once it has written it all
        # Nothing is left to wait for: its exit is collected in the background, so a command ends at once.
        threading.Thread(target=process.wait, name="history-writer-exit", daemon=True).start()
        self._stop("the history writer was closed", expected=True)

    # -- the pipes --------------------------------------------------------------------------------

    def _send(self, *message: Any) -> tuple[int, asyncio.Future[Answer]]:
        loop = asyncio.get_running_loop()
        self._seq += 1
        answer: asyncio.Future[Answer] = loop.create_future()
        if self.stopped is not None:
            answer.set_result((None, self.stopped))
            return self._seq, answer
        self._launch()
        with self._progress:  # other threads look at what is unanswered
            self._answers[self._seq] = answer
        self._write(frame((self._seq, *message)))
        return self._seq, answer

    def _launch(self) -> None:
        """Start the process in a thread, once: what is sent meanwhile waits in `_unsent`."""
        if self._process is None and self._starting is None and self.stopped is None:
            self._loop = asyncio.get_running_loop()
            self._loop_thread = threading.get_ident()
            self._starting = self._loop.create_task(self._spawn())

    async def _spawn(self) -> None:
        try:
            process = await asyncio.to_thread(self._popen)
        except OSError as error:
            self._stop(f"the history writer could not start: {describe_problem(error)}")
            return
        finally:
            self._starting = None
        self._attach(process)

    def _popen(self) -> subprocess.Popen[bytes]:
        package_root = str(Path(__file__).resolve().parents[2])
        env = {name: value for name, value in os.environ.items() if name != "PUTER_AUTH_TOKEN"}  # not its business
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
        return subprocess.Popen(
            [sys.executable, "-m", "explorer.history.writer_process", *self._options],
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
        self._framed += len(data)
        if not self._unsent and self._process is not None:  # else behind what waits, or starting
            assert self._process.stdin is not None
            try:
                written = os.write(self._process.stdin.fileno(), data)
            except BlockingIOError:
                written = 0
            except OSError as error:
                self._stop(f"the history writer stopped: {describe_problem(error)}")
                return
            self._piped += written
            data = data[written:]
        if data:
            self._unsent += data
            if self._process is not None:
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
        self._piped += written
        while self._handing and self._handing[0][0] <= self._piped:
            self._handing.popleft()[1].set_result(None)
        if not self._unsent:
            assert self._loop is not None
            self._loop.remove_writer(self._process.stdin.fileno())

    def _on_readable(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        try:
            data = os.read(self._process.stdout.fileno(), READ_SIZE)
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
        answered = unframe(self._received)
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
        while self._handing:  # nothing more will be written: nothing to wait for
            handed = self._handing.popleft()[1]
            if not handed.done():
                handed.set_result(None)

    def _forget_pipes(self) -> None:
        process, loop = self._process, self._loop
        if process is None or loop is None:
            return
        for pipe, remove in ((process.stdout, loop.remove_reader), (process.stdin, loop.remove_writer)):
            if pipe is not None and not pipe.closed:
                if not loop.is_closed():
                    remove(pipe.fileno())
                pipe.close()  # the writer sees the end of its input: it finishes and exits
