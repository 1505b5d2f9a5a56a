"""Where a body goes while it is read: memory, a file of our own in the download folder, or the user's file.

`BodySink` is the one bounded reader every answer goes through: it counts the bytes against a cap, keeps
the head for the Raw view, holds the body in memory up to a limit and writes it to a file past that,
hashing it on the way. Hashing and writing run on a worker thread, one buffer at a time while the next one
fills, so the event loop goes on reading (and a UI sharing it goes on drawing) while the disk catches up.
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import mmap
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

WRITE_BUFFER = 8 * 1024 * 1024  # each of the two buffers a body goes through on its way to a file
# What one write() hands the kernel. Writes of megabytes were measured to cost erratic system time (a 400 MB
# body: 0.25 to 1.25 s for the process with 8 MiB writes, 0.25 to 0.3 s with 256 KiB ones): the kernel then
# fills the page cache in large folios, slow to touch first on a virtual machine that returns free memory.
WRITE_SLICE = 256 * 1024


class TooLarge(Exception):
    """The body went past its cap."""


@dataclass
class BodyFile:
    path: Path
    ours: bool  # a fresh file of our own naming (already created); else the user's path, created or truncated

    def open(self) -> BinaryIO:
        if self.ours:
            # "r+b", not "wb": truncating makes some file systems (ext4) flush the whole file on close.
            return open(self.path, "r+b")
        # The user named this path, as for curl -o: readable by others unless the umask says otherwise.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        return os.fdopen(fd, "wb")

    def remove(self) -> None:
        """Remove what was written; a user's path only when it is a regular file (not a pipe or a device)."""
        try:
            if self.ours or stat.S_ISREG(os.stat(self.path).st_mode):
                self.path.unlink(missing_ok=True)
        except FileNotFoundError:
            pass


class BodySink:
    """One body, read once in bounded memory.

    `keep`: bytes held in memory; past them the body goes to `file` (or to the file `spill()` makes then).
    With neither, the cap is `keep`. `finish()` once the body is whole; `discard()` to drop a partial one.
    """

    def __init__(
        self,
        *,
        cap: int,
        keep: int = 0,
        head_bytes: int = 0,
        file: BodyFile | None = None,
        spill: Callable[[], BodyFile] | None = None,
        hashed: bool = False,
    ) -> None:
        self.cap = cap if (file or spill) else min(cap, keep)
        self.keep = keep
        self.head_bytes = head_bytes
        self.file = file
        self.size = 0
        self.head = bytearray()
        self._spill = spill
        self._to_file = file is not None and keep == 0
        self._held: list[bytes] = []  # the body while it is kept in memory
        self._buffers: list[mmap.mmap] = []  # two, filled in turn, once the body goes to a file
        self._current = 0  # the buffer being filled
        self._filled = 0
        self._hasher = hashlib.sha256() if hashed else None
        self._out: BinaryIO | None = None  # touched only by the job on the worker thread, or when none runs
        self._writing: asyncio.Future[None] | None = None  # the write of the other buffer

    @property
    def in_memory(self) -> bool:
        return not self._to_file

    @property
    def data(self) -> bytes:
        """The whole body, when it stayed in memory."""
        assert not self._to_file
        return b"".join(self._held)

    @property
    def sha256(self) -> str | None:
        return self._hasher.hexdigest() if self._hasher is not None else None

    async def add(self, block: bytes) -> None:
        self.size += len(block)
        if self.size > self.cap:
            raise TooLarge()
        if len(self.head) < self.head_bytes:
            self.head.extend(block[: self.head_bytes - len(self.head)])
        if self._to_file:
            await self._copy(block)
            return
        self._held.append(block)
        if self.size <= self.keep:
            return
        if self.file is None:
            assert self._spill is not None
            self.file = self._spill()
        self._to_file = True
        held, self._held = self._held, []
        for piece in held:
            await self._copy(piece)

    async def finish(self) -> None:
        """Everything on disk and the file closed (nothing to do for a body held in memory)."""
        if self._to_file:
            await self._hand_over(last=True)
            assert self._writing is not None
            await self._writing
            self._release()

    async def discard(self) -> None:
        """Drop a partial body: the file is closed and removed once no write is running."""
        writing = self._writing
        if writing is not None and not writing.done():
            try:
                await asyncio.wait([writing])
            except asyncio.CancelledError:
                writing.add_done_callback(lambda _: self._remove())
                raise
        if writing is not None and not writing.cancelled():
            writing.exception()  # retrieved: the caller is already handling a failure
        self._remove()

    async def _copy(self, block: bytes) -> None:
        """Into the buffer being filled; a full one goes to the worker thread while the other fills."""
        if not self._buffers:
            # Anonymous maps: a page is taken when first written (a small body costs a few), then reused,
            # so a large body is not fresh memory to fault in over and over, as new blocks would be.
            self._buffers = [mmap.mmap(-1, WRITE_BUFFER), mmap.mmap(-1, WRITE_BUFFER)]
        view = memoryview(block)
        start = 0
        while start < len(view):
            n = min(len(view) - start, WRITE_BUFFER - self._filled)
            self._buffers[self._current][self._filled : self._filled + n] = view[start : start + n]
            self._filled += n
            start += n
            if self._filled == WRITE_BUFFER:
                await self._hand_over(last=False)

    async def _hand_over(self, *, last: bool) -> None:
        if self._writing is not None:
            await self._writing  # one write at a time: in order, and the other buffer is free again
        buffer = self._buffers[self._current] if self._buffers else None
        self._writing = asyncio.get_running_loop().run_in_executor(None, self._write, buffer, self._filled, last)
        self._current, self._filled = 1 - self._current, 0

    def _write(self, buffer: mmap.mmap | None, length: int, last: bool) -> None:
        """On the worker thread: hashing and writing release the GIL, so the loop goes on reading meanwhile."""
        assert self.file is not None
        if self._out is None:
            self._out = self.file.open()
        if buffer is not None and length:
            with memoryview(buffer) as whole, whole[:length] as data:
                if self._hasher is not None:
                    self._hasher.update(data)
                for start in range(0, length, WRITE_SLICE):
                    self._out.write(data[start : start + WRITE_SLICE])
        if last:
            out, self._out = self._out, None
            out.close()

    def _release(self) -> None:
        for buffer in self._buffers:
            buffer.close()
        self._buffers = []

    def _remove(self) -> None:
        if self._out is not None:
            try:
                self._out.close()
            except OSError:  # a full disk fails the flush too; the file goes all the same
                pass
            self._out = None
        self._release()
        if self.file is not None:
            self.file.remove()


# -- file names -------------------------------------------------------------------------------------


def new_file(folder: Path, base: str, extension: str, suggested: str | None = None) -> Path:
    """A fresh, empty file of our own naming in `folder` (0600)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = suggested or safe_name(base) + extension
    for attempt in range(1000):
        path = folder / f"{stamp}-{attempt:03d}-{name}"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return path
    raise OSError("could not create a file in the download folder")


def safe_name(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")
    return cleaned[:80] or "body"


def suggested_name(disposition: str) -> str | None:
    """A server-suggested file name, reduced to a plain, safe base name."""
    match = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', disposition, re.IGNORECASE)
    if not match:
        return None
    name = match.group(1).replace("\\", "/").split("/")[-1]
    name = safe_name(name)
    return name if name and name not in (".", "..") else None


def extension_for(content_type: str) -> str:
    mime = content_type.split(";")[0].strip().lower()
    special = {"audio/wav": ".wav", "audio/x-wav": ".wav", "audio/mpeg": ".mp3", "image/jpeg": ".jpg"}
    return special.get(mime) or mimetypes.guess_extension(mime) or ".bin"
