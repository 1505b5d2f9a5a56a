"""Without a subcommand: the terminal UI. Its first frame is drawn before the session exists; the session
(demo server, history, HTTP client) is made by a factory that the app calls once that frame is on screen."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from .exits import EXIT_OK

if TYPE_CHECKING:
    from ..session import Session


def run_tui(options: argparse.Namespace) -> int:
    from ..connect import needs_connect
    from ..tui.app import run_tui as start_tui

    async def factory(choice: Any = None) -> Session:
        import asyncio
        import importlib

        # In a thread: the screen keeps answering while the HTTP stack and the history load.
        await asyncio.to_thread(importlib.import_module, "explorer.session")
        from ..connect import DemoChoice, open_chosen_session
        from .calls import open_session_for

        if choice is None:
            return await open_session_for(options)
        if isinstance(choice, DemoChoice):
            choice = DemoChoice(options.demo_generation)
        return await open_chosen_session(choice)

    # Nothing says which server and token to use: the TUI asks (demo, token, or a self-hosted login).
    ask = needs_connect(demo=options.demo, origin=options.origin, token=options.token, profile=options.profile)
    start_tui(factory, connect_first=ask)
    return EXIT_OK
