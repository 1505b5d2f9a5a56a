"""`config`: where puter-explorer keeps its files, and whether the ones a person edits can be read.

It writes nothing, and reads only the profiles and keymap files, to check them. A profiles or keymap file that
cannot be used is listed with why (for a profiles file that is not JSON: its path, line and column), said
again on stderr, and the command exits 2, as every command does that finds the profiles file unreadable.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from .exits import EXIT_OK, EXIT_USAGE
from .messages import say


@dataclass
class Place:
    name: str
    path: Path
    state: str  # what is there, for a person: "2 profiles, current: work", "not there yet"
    problem: str | None = None  # why the file cannot be used


def profiles_place(path: Path) -> Place:
    from ..config import ConfigError, ProfileStore

    if not path.exists():
        return Place("profiles", path, "not there yet: `login` or `profiles add` makes it")
    try:
        store = ProfileStore(path)
    except (ConfigError, OSError) as error:
        return Place("profiles", path, "cannot be read", str(error))
    count = len(store.profiles)
    current = f", current: {store.current}" if store.current else ""
    return Place("profiles", path, f"{count} profile{'' if count == 1 else 's'}{current}")


def keymap_place(path: Path) -> Place:
    if not path.exists():
        return Place("keymap", path, "not there: the default keys")
    from ..tui.keymap import KeymapError, load_keymap

    try:
        keymap = load_keymap(path)
    except KeymapError as error:  # it names the file (and the line) itself
        return Place("keymap", path, "cannot be used", str(error))
    except (OSError, UnicodeDecodeError) as error:
        return Place("keymap", path, "cannot be used", f"{path}: {getattr(error, 'strerror', None) or error}")
    count = len(keymap)
    return Place("keymap", path, f"{count} binding{'' if count == 1 else 's'} rebound")


def file_place(name: str, path: Path) -> Place:
    if path.is_dir():
        return Place(name, path, "a folder")
    if path.is_file():
        return Place(name, path, f"{path.stat().st_size} bytes")
    return Place(name, path, "not there yet")


def places() -> list[Place]:
    from .. import paths

    return [
        profiles_place(paths.profiles_path()),
        keymap_place(paths.keymap_path()),
        file_place("history", paths.history_path()),
        file_place("responses", paths.downloads_dir()),
        file_place("error log", paths.error_log_path()),
    ]


def cmd_config(options: argparse.Namespace) -> int:
    from ..terminal_text import clean, json_text

    found = places()
    home = os.environ.get("PUTER_EXPLORER_HOME") or None
    if options.json:
        print(json_text({"home": home, "places": [{**asdict(p), "path": str(p.path)} for p in found]}))
    else:
        if home:
            print(clean(f"{'home':<10} {home}  (PUTER_EXPLORER_HOME)"))
        for place in found:
            print(clean(f"{place.name:<10} {place.path}  ({place.state})"))
    problems = [place.problem for place in found if place.problem]
    for problem in problems:
        say(f"error: {problem}")
    return EXIT_USAGE if problems else EXIT_OK
