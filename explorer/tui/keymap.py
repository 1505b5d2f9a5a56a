"""Named key bindings: every binding the user may rebind has an id, and a keymap maps ids to keys.

A keymap is a dict `{binding_id: "key[,key...]"}` (Textual's `App.set_keymap`). It may come from a
TOML or JSON file holding either the mapping itself or a `[keymap]` table.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from textual.binding import Binding

# id -> (default keys, action, description shown in the footer and the help screen)
DEFAULT_BINDINGS: dict[str, tuple[str, str, str]] = {
    "send": ("f5,ctrl+j", "send", "Send"),
    "cancel": ("escape", "cancel", "Cancel call"),
    "replay": ("ctrl+r", "replay", "Replay"),
    "edit": ("ctrl+e", "edit_entry", "Edit entry"),
    "add-method": ("ctrl+n", "add_method", "Add method"),
    "focus-tree": ("f2", "focus_tree", "Methods"),
    "focus-editor": ("f3", "focus_editor", "Args"),
    "focus-history": ("f4", "focus_history", "History"),
    "focus-view": ("f7", "focus_view", "View"),
    "open-answer": ("f9", "open_answer", "Open"),
    "save-answer": ("f10", "save_answer", "Save as"),
    "load-more": ("ctrl+l", "load_more", "More history"),
    "mark": ("m", "screen.mark", "Mark"),
    "diff": ("d", "screen.diff", "Diff"),
    "export": ("ctrl+o", "export('curl')", "Export"),
    "compare": ("ctrl+k,f8", "compare", "Compare"),
    "model": ("ctrl+t", "pick_model", "Model"),
    "collections": ("f6", "collections", "Collections"),
    "save-call": ("ctrl+s", "save_call", "Save call"),
    "help": ("f1", "help", "Help"),
}

# Longer descriptions for the help screen, where the footer's short word is not enough.
HELP_DESCRIPTIONS: dict[str, str] = {
    "mark": "Mark the highlighted call for a diff (history list)",
    "diff": "Diff the marked call with the highlighted one, or a replay with its original (history list)",
    "export": "Export the highlighted call as curl: copied and shown (palette: httpx, puter.js)",
    "compare": "Run the method in the editor on several services of its interface, side by side",
    "model": "Pick a model for the `model` argument from the server's list (args editor)",
    "collections": "Open a folder of call files: run one or all, open one in the editor",
    "save-call": "Save the editor's call (or the highlighted history call) as a call file in a collection",
    "focus-view": "Go to the View tab of the highlighted call (a chat: its reply box)",
    "open-answer": "Open a binary answer (image, audio, bytes) with the system's application",
    "save-answer": "Save a copy of a binary answer (image, audio, bytes), asking where",
}

# Bindings that must win over the focused widget (the editor would otherwise take ctrl+j as a newline).
# "edit" (ctrl+e) is not among them: in the editor, ctrl+e stays end-of-line.
# "mark" and "diff" are plain letters, so they belong to the history list only (see CallList).
# "compare" (ctrl+k) too: in the editor it replaces delete-to-end-of-line (ctrl+shift+k still deletes the line).
_PRIORITY = {
    "send", "cancel", "replay", "add-method", "focus-tree", "focus-editor", "focus-history", "export", "compare",
    "collections", "save-call", "focus-view", "open-answer", "save-answer",
}
# "model" shows only while the open method takes a model (ArgsEditor.check_action); "focus-view" while the
# highlighted call has a view, "open-answer" and "save-answer" while it is binary (MainScreen.check_action).
_SHOWN = {"send", "cancel", "replay", "edit", "add-method", "help", "mark", "diff", "export", "model", "focus-view",
          "open-answer", "save-answer"}

BINDING_IDS: tuple[str, ...] = tuple(DEFAULT_BINDINGS)


class KeymapError(ValueError):
    def __init__(self, message: str, binding_id: str | None = None) -> None:
        super().__init__(message)
        self.binding_id = binding_id  # the entry at fault, so that a file's reader can say on which line


def binding(binding_id: str) -> Binding:
    keys, action, description = DEFAULT_BINDINGS[binding_id]
    return Binding(
        keys,
        action,
        description,
        id=binding_id,
        show=binding_id in _SHOWN,
        priority=binding_id in _PRIORITY,
    )


def bindings(*binding_ids: str) -> list[Binding]:
    return [binding(binding_id) for binding_id in binding_ids]


def validate_keymap(keymap: object) -> dict[str, str]:
    """Check a user keymap: known ids only, each mapped to a non-empty key string."""
    if not isinstance(keymap, dict):
        raise KeymapError("a keymap is a mapping of binding ids to keys")
    checked: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        if binding_id not in DEFAULT_BINDINGS:
            raise KeymapError(f"unknown binding id {binding_id!r} (known: {', '.join(BINDING_IDS)})", binding_id)
        if not isinstance(keys, str) or not keys.strip():
            raise KeymapError(f"binding {binding_id!r} needs a key string such as 'ctrl+s' or 'f5,ctrl+j'",
                              binding_id)
        checked[binding_id] = keys.strip()
    return checked


def load_keymap(path: Path) -> dict[str, str]:
    """Read a keymap file (.toml or .json). A missing file is an empty keymap. Every KeymapError names the
    file, and the line of the entry at fault where it can be found."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    is_json = path.suffix.lower() == ".json"
    try:
        data = json.loads(text) if is_json else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise KeymapError(f"{path}: {error}") from error
    if isinstance(data, dict) and isinstance(data.get("keymap"), dict):
        data = data["keymap"]
    try:
        return validate_keymap(data)
    except KeymapError as error:
        line = key_line(text, error.binding_id, is_json) if error.binding_id is not None else None
        where = f"{path}, line {line}" if line else str(path)
        raise KeymapError(f"{where}: {error}", error.binding_id) from None


def key_line(text: str, key: str, is_json: bool) -> int | None:
    """The first line where `key` is written as a key: `"key":` in JSON, `key =` (bare or quoted) in TOML."""
    quoted = json.dumps(key, ensure_ascii=False)
    spellings, after = ([quoted], ":") if is_json else ([key, quoted, f"'{key}'"], "=")
    forms = "|".join(map(re.escape, spellings))
    # Not part of a longer name: `teleport` must not be found in `my-teleport` or "xteleport".
    pattern = re.compile(rf"(?<![\w\-\"'])(?:{forms})\s*{after}")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.lstrip().startswith("#") and pattern.search(line):  # a commented-out entry is not the one
            return number
    return None


def read_user_keymap(path: Path) -> tuple[dict[str, str], str | None]:
    """The user's keymap, or none and why (the file named, with its line): the app then starts with the
    default keys and says so, rather than not starting."""
    try:
        return load_keymap(path), None
    except KeymapError as error:
        return {}, f"{error}; the default keys are used"
    except (OSError, UnicodeDecodeError) as error:
        return {}, f"{path} cannot be read ({getattr(error, 'strerror', None) or error}); the default keys are used"
