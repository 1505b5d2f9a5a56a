"""The history's one error type, apart from the store so that naming it does not load SQLite."""

import sys


class HistoryError(Exception):
    """The history store cannot do what was asked; the message is meant for a person."""


class HistoryBusy(HistoryError):
    """A write that was not to wait found the history taken (by another thread or program)."""


def describe_problem(error: BaseException) -> str:
    """One line for a person: what went wrong, without a traceback."""
    sqlite3 = sys.modules.get("sqlite3")  # loaded by whoever raised one of its errors
    if isinstance(error, OSError) and error.strerror:
        text = f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    elif isinstance(error, HistoryError) or (sqlite3 is not None and isinstance(error, sqlite3.Error)):
        text = str(error) or type(error).__name__
    else:  # a fault of ours: its type says more than its message
        text = type(error).__name__ + (f": {error}" if str(error) else "")
    return " ".join(text.split())
