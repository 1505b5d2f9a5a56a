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

    async def factory(choice: Any = None, *, without_profiles: bool = False) -> Session:
        import asyncio
        import importlib

        # In a thread: the screen keeps answering while the HTTP stack and the history load.
        await asyncio.to_thread(importlib.import_module, "explorer.session")
        from ..connect import DemoChoice, open_chosen_session
        from .calls import open_session_for

        if choice is None:
            return await open_session_for(options, profiles=_no_profiles() if without_profiles else None)
        if isinstance(choice, DemoChoice):
            choice = DemoChoice(options.demo_generation)
        return await open_chosen_session(choice)

    # Nothing says which server and token to use: the TUI asks (demo, token, or a self-hosted login).
    ask = needs_connect(demo=options.demo, origin=options.origin, token=options.token, profile=options.profile)

    def asks_without_profiles() -> bool:
        """Once the user goes on without an unreadable profiles file: whether the flags and environment alone
        leave the server or token to ask for."""
        return needs_connect(demo=options.demo, origin=options.origin, token=options.token, profile=options.profile,
                             store=_no_profiles())

    start_tui(factory, connect_first=ask, asks_without_profiles=asks_without_profiles,
              connect_note=_withheld(options) if ask else None)
    return EXIT_OK


def _withheld(options: argparse.Namespace) -> str | None:
    """Why the environment's token is not used (it is for another server than --origin names), if so."""
    from ..config import ConfigError, resolve_target

    try:
        withheld = resolve_target(origin=options.origin, token=options.token, profile=options.profile).withheld
    except (ConfigError, ValueError):  # said when the session is opened
        return None
    return f"No token for this server: {withheld}." if withheld else None


def _no_profiles() -> Any:
    from ..config import ProfileStore

    return ProfileStore(unreadable="empty")
