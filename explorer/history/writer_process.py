"""The history's writer process: applies the writes an app sends down a pipe, and answers each.

Started by `writer.HistoryWriter` as `python -m explorer.history.writer_process PATH INLINE_LIMIT BUSY_TIMEOUT`;
it reads framed messages on stdin, writes answers on stdout, and ends at the end of its input, after it
has applied everything it was sent (even when the app that sent them has been killed meanwhile).
Messages are pickled: the pipe is private to the app and its child.
"""

from __future__ import annotations

import os
import pickle
import select
import struct
import sys
from typing import Any

from explorer.history.errors import describe_problem

_HEADER = struct.Struct("<I")
READ_SIZE = 256 * 1024
# How long an outcome waits for a pending entry that may follow it (the next call's, which its request waits for).
_OUTCOME_PAUSE_S = 0.002
# What the writer answers: a result (an entry id, where a body file now is, or None) and a problem or None.
Answer = tuple[Any, "str | None"]


def frame(message: Any) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def unframe(buffer: bytearray) -> list[Any]:
    """The whole messages at the start of `buffer`, removed from it."""
    messages = []
    while len(buffer) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(buffer)
        if len(buffer) < _HEADER.size + size:
            break
        messages.append(pickle.loads(bytes(buffer[_HEADER.size : _HEADER.size + size])))
        del buffer[: _HEADER.size + size]
    return messages


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
        data = os.read(0, READ_SIZE)
        if not data:
            reading = False
        received.extend(data)
        todo.extend(unframe(received))

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
            answers += frame((seq, result, why))
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
