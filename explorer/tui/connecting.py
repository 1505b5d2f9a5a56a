"""The connect screen's choices live in `explorer.connect`, shared with the CLI; this name stays for imports."""

from __future__ import annotations

from ..connect import (
    DEFAULT_GUI_ORIGIN,
    Choice,
    DemoChoice,
    LoginChoice,
    TokenChoice,
    needs_connect,
    open_chosen_session,
    save_choice,
)

__all__ = ["DEFAULT_GUI_ORIGIN", "Choice", "DemoChoice", "LoginChoice", "TokenChoice", "needs_connect",
           "open_chosen_session", "save_choice"]
