"""The commands that read the history: `history` (list, prune), `show`, `diff` and `export`.

They send nothing. An entry that does not exist, a bad --since, or a history file that cannot be opened is
a `UsageError`; a failure while reading an open history is not.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .exits import EXIT_DRIVER_ERROR, EXIT_OK, UsageError
from .messages import say

if TYPE_CHECKING:
    from ..history import Entry, HistoryStore
    from ..jsondiff import Change

_DURATION_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def open_history() -> HistoryStore:
    from .. import paths
    from ..history import HistoryError, HistoryStore

    path = paths.history_path()
    if not path.exists():
        raise UsageError("there is no history yet")
    try:
        return HistoryStore(path)
    except HistoryError as exc:  # not a history (another file, another program's database) or unreadable
        raise UsageError(str(exc)) from None


def entry_of(store: HistoryStore, entry_id: int) -> Entry:
    entry = store.get(entry_id)
    if entry is None:
        raise UsageError(f"no history entry {entry_id}")
    return entry


def parse_when(text: str | None) -> datetime | None:
    """An ISO date/time (UTC when it names no zone), or a duration ago such as 2h or 3d."""
    if not text:
        return None
    if text[-1:] in _DURATION_UNITS and text[:-1].replace(".", "", 1).isdigit():
        try:
            return datetime.now(timezone.utc) - timedelta(seconds=float(text[:-1]) * _DURATION_UNITS[text[-1]])
        except OverflowError:
            raise UsageError(f"too long ago: {text!r}") from None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"not a date/time or duration: {text!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id, "created_at": entry.created_at.isoformat(), "origin": entry.origin, "profile": entry.profile,
        "interface": entry.interface, "service": entry.service, "method": entry.method, "args": entry.args,
        "test_mode": entry.test_mode, "kind": entry.kind, "status": entry.status, "error_code": entry.error_code,
        "error_message": entry.error_message, "duration_ms": entry.duration_ms, "size": entry.size,
        "content_type": entry.content_type, "body_path": entry.body_path, "replay_of": entry.replay_of,
        "summary": entry.summary,
    }


# `history` (list) options, by attribute name, and the flag that sets each; then prune's options given where
# they are not taken (before `prune`, or without it).
LIST_FILTERS = {"interface": "--interface", "method": "--method", "service": "--service", "kind": "--kind",
                "error_code": "--error-code", "since": "--since", "until": "--until", "text": "--search"}
LIST_OPTIONS = {"limit": "--limit", "json": "--json", **LIST_FILTERS}
MISPLACED_PRUNE_OPTIONS = {"misplaced_older_than": "--older-than", "misplaced_keep": "--keep"}
DEFAULT_LIMIT = 20


def given(options: argparse.Namespace, flags: dict[str, str]) -> list[str]:
    return [flag for name, flag in flags.items() if getattr(options, name) not in (None, False)]


def check_history_options(options: argparse.Namespace) -> None:
    """List options with `prune`, or prune options without it, are bad usage rather than silently ignored."""
    if misplaced := given(options, MISPLACED_PRUNE_OPTIONS):
        raise UsageError(f"only history prune takes {', '.join(misplaced)}, after the word prune")
    if options.action == "prune":
        if misplaced := given(options, LIST_OPTIONS):
            raise UsageError(f"history prune does not take {', '.join(misplaced)}")
        if options.older_than is None and options.keep is None:
            raise UsageError("history prune needs --older-than DAYS or --keep N")


def cmd_history(options: argparse.Namespace) -> int:
    from ..history import EntryFilter
    from ..terminal_text import clean, json_text

    check_history_options(options)
    since, until = parse_when(options.since), parse_when(options.until)
    store = open_history()
    try:
        if options.action == "prune":
            removed = store.prune(older_than_days=options.older_than, keep=options.keep)
            say(f"removed {removed} entries")
            return EXIT_OK
        entry_filter = EntryFilter(
            interface=options.interface, method=options.method, service=options.service, kind=options.kind,
            error_code=options.error_code, since=since, until=until, text=options.text,
        )
        entries = store.list(limit=DEFAULT_LIMIT if options.limit is None else options.limit, filter=entry_filter)
    finally:
        store.close()
    if not entries:
        say("no entries match" if given(options, LIST_FILTERS) else "the history is empty")
    if options.json:
        print(json_text([entry_json(e) for e in entries]))
        return EXIT_OK
    for e in entries:
        when = local_time(e)
        status = e.status if e.status is not None else "-"
        replay = f" (replay of {e.replay_of})" if e.replay_of else ""
        line = f"{e.id:>6}  {when}  {e.kind:<12} {status!s:>4}  {e.interface}.{e.method} [{e.service or 'default'}]{replay}"
        print(clean(line))
    return EXIT_OK


def local_time(entry: Entry) -> str:
    return entry.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def cmd_show(options: argparse.Namespace) -> int:
    from ..history.values import body_file_problem, result_value
    from ..terminal_text import json_text

    store = open_history()
    try:
        entry = entry_of(store, options.id)
        data = entry_json(entry)
        data["request_body"] = json.loads(entry.request_body)
        data["response_headers"] = entry.response_headers
        data["result"] = result_value(store, entry)
    finally:
        store.close()
    if not (options.view and _print_entry_view(entry)):
        print(json_text(data))
    problem = body_file_problem(entry)
    if problem:
        say(f"warning: {problem}")
    return EXIT_OK


def _print_entry_view(entry: Entry) -> bool:
    from .. import paths
    from ..driver_views import Answer
    from .output import print_view

    return print_view(Answer.of_entry(entry), paths.downloads_dir())


def cmd_diff(options: argparse.Namespace) -> int:
    """The request and the answer of two entries, each section marked and, when they differ, headed with which
    entry is `-` and which `+` (with --json, each section's changes as data); exit 1 when they differ, as diff(1)."""
    from ..history.values import result_value
    from ..jsondiff import diff_calls, differs, render_calls
    from ..session import request_section
    from ..terminal_text import clean, json_text

    store = open_history()
    try:
        entries = [entry_of(store, wanted) for wanted in (options.id1, options.id2)]
        old, new = ({"request": request_section(entry), "answer": result_value(store, entry)} for entry in entries)
    finally:
        store.close()
    sections = diff_calls(old, new)
    changed = differs(sections)
    if options.json:
        print(json_text({section: [change_json(c) for c in changes] for section, changes in sections.items()}))
    else:
        if changed:  # which entry the - and + lines come from, as `diff -u` heads them
            for sign, entry in zip(("---", "+++"), entries):
                print(clean(f"{sign} #{entry.id} ({entry.interface}.{entry.method}, {local_time(entry)})",
                            single_line=True))
        print(clean(render_calls(sections)))
    return EXIT_DRIVER_ERROR if changed else EXIT_OK


def change_json(change: Change) -> dict[str, Any]:
    """One change as data: `old` is absent when the value was added, `new` when it was removed."""
    from ..jsondiff import MISSING

    data: dict[str, Any] = {"path": change.path, "change": {"+": "added", "-": "removed", "~": "changed"}[change.sign]}
    if change.old is not MISSING:
        data["old"] = change.old
    if change.new is not MISSING:
        data["new"] = change.new
    return data


def cmd_export(options: argparse.Namespace) -> int:
    from ..config import ConfigError, resolve_target
    from ..export import export_call
    from ..terminal_text import clean

    store = open_history()
    try:
        entry = entry_of(store, options.id)
    finally:
        store.close()
    token = None
    if options.with_token:
        from ..replays import token_for

        # The token of the server the call was made on, as a replay would send it; never another server's.
        try:
            if options.token:
                token = options.token
            elif options.profile:
                token = resolve_target(origin=entry.origin, profile=options.profile).token
            else:
                token = token_for(entry.origin, entry.profile)[0]
        except ConfigError as exc:  # --profile names none, or the profiles file cannot be read
            raise UsageError(str(exc)) from None
        if not token:
            raise UsageError(f"--with-token: no token known for {entry.origin}, where #{entry.id} was made "
                             "(--token, a profile for it, or PUTER_AUTH_TOKEN with PUTER_API_ORIGIN naming it)")
    print(clean(export_call(entry.origin, json.loads(entry.request_body), options.fmt, token)))
    return EXIT_OK
