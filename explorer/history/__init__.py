"""The call history: a SQLite store of every driver call. Knows nothing of the protocol or the UI.

`HistoryError` is importable without loading SQLite (the UI names it at start-up); the rest loads the
store on first use.
"""

from typing import TYPE_CHECKING, Any

from explorer.history.errors import HistoryError

if TYPE_CHECKING:
    from explorer.history.store import (
        OUTCOME_KINDS,
        PENDING,
        Entry,
        EntryFilter,
        HistoryStore,
        default_history_path,
    )

__all__ = [
    "OUTCOME_KINDS",
    "PENDING",
    "Entry",
    "EntryFilter",
    "HistoryError",
    "HistoryStore",
    "default_history_path",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from explorer.history import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
