"""The call history: a SQLite store of every driver call. Knows nothing of the protocol or the UI."""

from explorer.history.store import (
    OUTCOME_KINDS,
    PENDING,
    Entry,
    EntryFilter,
    HistoryError,
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
