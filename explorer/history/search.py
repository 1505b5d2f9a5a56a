"""The SQL that lists, counts and searches entries: filters, free text (FTS5, or LIKE without it), paging."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from explorer.history import schema
from explorer.history.entries import COLUMNS, PENDING, EntryFilter


def list_query(filter: EntryFilter | None, *, limit: int, before_id: int | None, has_fts: bool) -> tuple[str, list[Any]]:
    """Newest first; for the next page `before_id` is the id of the last entry received."""
    where, params, fts_query = _where(filter, has_fts)
    if fts_query is None or filter is None:  # no text, or matched with LIKE
        if before_id is not None:
            where.append("e.id < ?")
            params.append(before_id)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {_prefixed('e', COLUMNS)} FROM entries e{clause} ORDER BY e.id DESC LIMIT ?"
        return sql, [*params, int(limit)]
    # Each part yields at most `limit` rows already newest first; only those few are merged.
    parts, values = [], []
    for source, conditions, part_params, key in _text_parts(filter, where, params, fts_query, before_id):
        parts.append(f"SELECT * FROM (SELECT {_prefixed('e', COLUMNS)} FROM {source}"
                     f" WHERE {' AND '.join(conditions)} ORDER BY {key} DESC LIMIT ?)")
        values += [*part_params, int(limit)]
    return " UNION ALL ".join(parts) + " ORDER BY id DESC LIMIT ?", [*values, int(limit)]


def count_query(filter: EntryFilter | None, *, has_fts: bool) -> tuple[str, list[Any]]:
    where, params, fts_query = _where(filter, has_fts)
    if fts_query is None or filter is None:
        return "SELECT count(*) FROM entries e" + (f" WHERE {' AND '.join(where)}" if where else ""), params
    parts, values = [], []
    for source, conditions, part_params, _ in _text_parts(filter, where, params, fts_query, None):
        parts.append(f"(SELECT count(*) FROM {source} WHERE {' AND '.join(conditions)})")
        values += part_params
    return "SELECT " + " + ".join(parts), values


def _where(filter: EntryFilter | None, has_fts: bool) -> tuple[list[str], list[Any], str | None]:
    """Conditions on `entries e`, and the FTS5 query for the free text when the index is to answer it
    (None: no text, or the text is matched with LIKE among the conditions)."""
    where: list[str] = []
    params: list[Any] = []
    if filter is None:
        return where, params, None
    for column in ("interface", "method", "service", "kind", "error_code"):
        value = getattr(filter, column)
        if value is not None:
            where.append(f"e.{column} = ?")
            params.append(value)
    if filter.since is not None:
        where.append("e.created_epoch >= ?")
        params.append(epoch(filter.since))
    if filter.until is not None:
        where.append("e.created_epoch < ?")
        params.append(epoch(filter.until))
    if filter.after_id is not None:
        where.append("e.id > ?")
        params.append(filter.after_id)
    fts_query = None
    if filter.text and filter.text.strip():
        fts_query = fts_match(filter.text) if has_fts else None
        if fts_query is None:
            _add_like(filter.text, where, params)
    return where, params, fts_query


def epoch(value: datetime | float | int) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    return float(value)


def _prefixed(alias: str, columns: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))


def _text_parts(
    filter: EntryFilter, where: list[str], params: list[Any], fts_query: str, before_id: int | None
) -> list[tuple[str, list[str], list[Any], str]]:
    """The two sources of a free-text match, as (FROM, conditions, their params, ordering key).

    Completed entries are in the FTS index (see schema step 2); pending ones are not, and are
    matched with the same LIKE as a build without FTS5. Pending entries are few and the kind index
    finds them, so that part stays cheap. A kind filter leaves only one of the two.
    """
    parts = []
    if filter.kind != PENDING:
        # Driven by the FTS index in rowid order, so the first page stops early even for a common
        # word; the rowid bound lets FTS5 seek instead of walking every newer match.
        conditions, values = ["entries_fts MATCH ?", *where], [fts_query, *params]
        if before_id is not None:
            conditions.append("entries_fts.rowid < ?")
            values.append(before_id)
        parts.append(("entries_fts JOIN entries e ON e.id = entries_fts.rowid", conditions, values,
                      "entries_fts.rowid"))
    if filter.kind in (None, PENDING):
        conditions, values = ["e.kind = ?", *where], [PENDING, *params]
        _add_like(filter.text or "", conditions, values)
        if before_id is not None:
            conditions.append("e.id < ?")
            values.append(before_id)
        # Pinned to the kind index: another filter's index could walk many completed rows instead.
        parts.append(("entries e INDEXED BY entries_kind_id", conditions, values, "e.id"))
    return parts


def _add_like(text: str, where: list[str], params: list[Any]) -> None:
    """Every word of `text` must occur, as a substring, in one of the searchable columns."""
    for term in text.split():
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append("(" + " OR ".join(f"e.{c} LIKE ? ESCAPE '\\'" for c in schema.FTS_COLUMNS) + ")")
        params.extend([pattern] * len(schema.FTS_COLUMNS))


def fts_match(text: str) -> str | None:
    """Turn what a person typed into an FTS5 query: every word must occur, as a word prefix.

    Each word is quoted, so FTS5 operators and punctuation in the input are taken literally.
    Returns None when no word has a letter or digit (FTS5 would match nothing); LIKE handles that.
    """
    terms = [t for t in text.split() if any(ch.isalnum() for ch in t)]
    if len(terms) != len(text.split()):
        return None
    return " ".join('"' + t.replace('"', '""') + '"*' for t in terms)
