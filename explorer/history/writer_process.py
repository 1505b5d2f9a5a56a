"""The history's writer process: applies the writes an app sends down a pipe, and answers each.

Started by `writer.HistoryWriter` as `python -m explorer.history.writer_process PATH INLINE_LIMIT BUSY_TIMEOUT`;
it reads framed messages on stdin, writes answers on stdout, and ends at the end of its input, after it
has applied everything it was sent (even when the app that sent them has been killed meanwhile).
Messages are plain values (str, numbers, None, lists, tuples, dicts) in `marshal`'s format, the fastest
the standard library has; the pipe is private to the app and its child, which run the same Python.
"""

from __future__ import annotations

import os
import marshal
import select
import struct
import sys
import time
from typing import Any

from explorer.history.errors import describe_problem

_HEADER = struct.Struct("<I")
READ_SIZE = 256 * 1024
# Outcomes are written once the input is quiet this long, or the oldest has waited that long.
_OUTCOME_PAUSE_S = 0.005
_OUTCOME_WAIT_MAX_S = 0.05
# What the writer answers: a result (an entry id, where a body file now is, or None) and a problem or None.
Answer = tuple[Any, "str | None"]


def frame(message: Any) -> bytes:
    data = marshal.dumps(message)
    return _HEADER.pack(len(data)) + data


def unframe(buffer: bytearray) -> list[Any]:
    """The whole messages at the start of `buffer`, removed from it."""
    messages = []
    while len(buffer) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(buffer)
        if len(buffer) < _HEADER.size + size:
            break
        messages.append(marshal.loads(bytes(buffer[_HEADER.size : _HEADER.size + size])))
        del buffer[: _HEADER.size + size]
    return messages


def serve(path: str, inline_limit: int, busy_timeout: float) -> None:
    """Apply the writes read from stdin, answering each on stdout, until stdin ends.

    A pending entry is written as soon as it arrives. Outcomes are gathered while more keep coming
    (calls made one after another) and written together, in one transaction, once the input has been
    quiet for `_OUTCOME_PAUSE_S` or the oldest has waited `_OUTCOME_WAIT_MAX_S`: the writing then
    mostly falls while the app waits for its server, and one commit serves many calls. The writes of
    one entry keep their order; reads in the app wait for what they follow.
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

    waiting_since = None  # when the oldest outcome still waiting arrived
    while todo or reading:
        if not todo:
            read()
            continue
        begins = [message for message in todo if message[1] == "begin"]
        if begins:
            batch = begins
        else:
            now = time.monotonic()
            waiting_since = waiting_since or now
            quiet = min(_OUTCOME_PAUSE_S, waiting_since + _OUTCOME_WAIT_MAX_S - now)
            if reading and quiet > 0 and select.select([0], [], [], quiet)[0]:
                read()
                continue
            batch, waiting_since = list(todo), None
        for message in batch:
            todo.remove(message)
        results = [(None, problem)] * len(batch) if store is None else _apply_all(store, entries, batch)
        answers = bytearray()
        for (seq, *_message), (result, why) in zip(batch, results):
            answers += frame((seq, result, why))
        if listening:
            try:
                _write_all(1, answers)
            except OSError:  # the app has gone: keep applying what it sent
                listening = False
    if store is not None:
        store.close()


def _apply_all(store: Any, entries: dict[int, int | None], batch: list[tuple[Any, ...]]) -> list[Answer]:
    """Apply `batch` in order, in one transaction when none of it moves a file (else, or if that fails, one by one)."""
    if len(batch) > 1 and not any(_writes_a_file(store, message) for message in batch):
        before = dict(entries)
        try:
            with store.batch():
                return [_apply(store, entries, seq, op, args) for seq, op, *args in batch]
        except Exception:  # noqa: BLE001 - nothing of it was written: once more, each in its own transaction
            entries.clear()
            entries.update(before)
    return [_apply(store, entries, seq, op, args) for seq, op, *args in batch]


def _writes_a_file(store: Any, message: tuple[Any, ...]) -> bool:
    """Whether applying `message` may move or write a body file (not undone with a transaction)."""
    if message[1] != "record":
        return False
    fields = message[3]
    text = fields.get("result_text")
    return fields.get("body_file") is not None or (text is not None and len(text) * 4 > store.inline_limit)


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
