"""Where puter-explorer keeps its files: the user's config and data folders (platformdirs).

`PUTER_EXPLORER_HOME` puts both under one folder instead (handy for a throwaway session or a test).
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import platformdirs

APP_NAME = "puter-explorer"


def _home() -> Path | None:
    value = os.environ.get("PUTER_EXPLORER_HOME")
    return Path(value) if value else None


def config_dir() -> Path:
    home = _home()
    return home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    home = _home()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME))


def state_dir() -> Path:
    """Logs: what went wrong, for a person to read later."""
    home = _home()
    return home / "state" if home else Path(platformdirs.user_state_dir(APP_NAME))


def error_log_path() -> Path:
    """Tracebacks of unexpected errors (tokens redacted), so the terminal shows one line."""
    return state_dir() / "errors.log"


def history_path() -> Path:
    return data_dir() / "history.sqlite3"


def downloads_dir() -> Path:
    """Binary and stream bodies land here first; the history then takes them in."""
    return data_dir() / "responses"


def profiles_path() -> Path:
    return config_dir() / "profiles.json"


def keymap_path() -> Path:
    return config_dir() / "keymap.json"


def private_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except (FileExistsError, NotADirectoryError):
        # The bare errno text ("File exists") does not say what is wrong.
        raise NotADirectoryError(errno.ENOTDIR, "a file is in the way of this folder", str(path)) from None
    return path


def private_temp_dir(purpose: str) -> Path:
    """A new folder only this user can read (0700), for when the usual one cannot be used."""
    return Path(tempfile.mkdtemp(prefix=f"{APP_NAME}-{purpose}-"))
