"""The history's one error type, apart from the store so that naming it does not load SQLite."""


class HistoryError(Exception):
    """The history store cannot do what was asked; the message is meant for a person."""
