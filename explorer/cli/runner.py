"""Running a command's coroutine: ctrl+c and SIGTERM cancel it with a reason that a call in flight records.

On Windows the event loop has no signal handlers: ctrl+c still interrupts through Python's own handler, and
SIGTERM (which Windows only delivers as a kill) mostly does nothing.
"""

from __future__ import annotations

import signal
from typing import Any, Awaitable, Callable, TypeVar

from .exits import Terminated

T = TypeVar("T")


def raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated()


def on_sigterm(handler: Callable[[int, Any], Any] | int | None) -> Any:
    """Install a process-wide SIGTERM handler; returns the one it replaces (None when none can be set here)."""
    if handler is None:
        return None
    try:
        return signal.signal(signal.SIGTERM, handler)
    except (ValueError, TypeError, OSError):  # not the main thread, or no such signal here
        return None


def run_async(work: Awaitable[T]) -> T:
    """`asyncio.run(work)`; on ctrl+c or SIGTERM the work is cancelled with the reason the session records,
    then KeyboardInterrupt or Terminated is raised for `main` to report."""
    import asyncio

    from ..session import INTERRUPTED, TERMINATED

    received: list[str] = []

    async def guarded() -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def stop(reason: str) -> None:
            received.append(reason)
            task.cancel(reason)

        installed = []
        for signum, reason in ((signal.SIGINT, INTERRUPTED), (signal.SIGTERM, TERMINATED)):
            try:
                loop.add_signal_handler(signum, stop, reason)
                installed.append(signum)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # no loop signal handlers here (Windows): the process-wide handlers still apply
        try:
            return await work
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)
            if installed:
                on_sigterm(raise_terminated)  # remove_signal_handler restored the default, which kills

    try:
        result = asyncio.run(guarded())
    except asyncio.CancelledError:
        if not received:
            raise
    if not received:
        return result
    if received[0] == TERMINATED:
        raise Terminated()
    raise KeyboardInterrupt()
