"""The collection file: one call per YAML file, written by hand or by `save`, read with line numbers.

    name: set a key                 # optional; the file name otherwise
    interface: puter-kvstore
    service: puter-kvstore          # optional: the server's default service
    method: set
    test_mode: false                # optional
    args: {key: "demo-${RUN}", value: 1}
    expect: {kind: result, values: [{path: $, equals: true}]}
    capture: {uid: $.uid}           # optional: values for later files, as ${uid}
    depends_on: [01-create]         # optional: earlier files whose captures this one uses
    volatile: [$.created]           # optional: paths `run --against` ignores

A file never holds a token: the runner sends the one of the server it runs against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import expect as expectations
from .paths import PathError, parse

SUFFIXES = (".yaml", ".yml")
KEYS = ("name", "interface", "service", "method", "test_mode", "args", "expect", "capture", "depends_on", "volatile")
_TOKEN_KEYS = re.compile(r"^(auth_?token|authorization|token|password)$", re.IGNORECASE)


class FileProblem(Exception):
    """A call file that cannot be run: which file, which line, and why (nothing is sent for it)."""

    def __init__(self, path: Path, line: int | None, why: str) -> None:
        super().__init__(f"{path}{f':{line}' if line else ''}: {why}")
        self.path, self.line, self.why = path, line, why


@dataclass
class CallFile:
    path: Path
    name: str
    interface: str
    method: str
    service: str | None = None
    test_mode: bool = False
    args: Any = field(default_factory=dict)
    expect: dict[str, Any] = field(default_factory=dict)
    capture: dict[str, str] = field(default_factory=dict)
    depends_on: list[str] = field(default_factory=list)
    volatile: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """How other files name this one in `depends_on`: its file name without the suffix."""
        return self.path.stem


def find(paths: list[Path]) -> list[Path]:
    """The call files named: folders give their *.yaml/*.yml files (and sub-folders'), in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted((p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()),
                            key=lambda p: p.relative_to(path).as_posix())
        else:
            found.append(path)
    return found


def load(path: Path) -> CallFile:
    """Read and check one call file; FileProblem (with its line) when it cannot be run."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FileProblem(path, None, f"cannot be read: {error}") from None
    data, lines = _parse(path, text)
    where = lambda *keys: lines.get(tuple(keys)) or lines.get(keys[:1]) or 1  # noqa: E731
    if not isinstance(data, dict):
        raise FileProblem(path, 1, "a call file is a mapping (interface:, method:, args:, ...)")
    for key in data:
        if key not in KEYS:
            raise FileProblem(path, where(key), f"unknown key {key!r} (known: {', '.join(KEYS)})")
    for key in ("interface", "method"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise FileProblem(path, where(key), f"{key!r} is required, as a name")
    for key, kind in (("service", str), ("name", str), ("test_mode", bool), ("expect", dict), ("capture", dict),
                      ("depends_on", list), ("volatile", list)):
        if data.get(key) is not None and not isinstance(data[key], kind):
            raise FileProblem(path, where(key), f"{key!r} must be a {_KIND_NAMES[kind]}")
    args = data.get("args", {})
    _refuse_tokens(path, args, ("args",), lines)
    expect = data.get("expect") or {}
    try:
        expectations.check_form(expect)
    except expectations.FormError as error:
        raise FileProblem(path, where("expect", *error.keys), str(error)) from None
    capture = data.get("capture") or {}
    for name, value in capture.items():
        try:
            parse(value)
        except PathError as error:
            raise FileProblem(path, where("capture", name), f"capture {name!r}: {error}") from None
    for index, value in enumerate(data.get("volatile") or []):
        try:
            parse(value)
        except PathError as error:
            raise FileProblem(path, where("volatile", index), f"volatile: {error}") from None
    return CallFile(
        path=path, name=data.get("name") or path.stem, interface=data["interface"], method=data["method"],
        service=data.get("service") or None, test_mode=bool(data.get("test_mode", False)), args=args,
        expect=expect, capture={str(k): v for k, v in capture.items()},
        depends_on=[str(d) for d in data.get("depends_on") or []], volatile=list(data.get("volatile") or []),
    )


_KIND_NAMES = {str: "text", bool: "true or false", dict: "mapping", list: "list"}


def _parse(path: Path, text: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """The document and the line of every key and item in it (1-based), by its path of keys."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[tuple[Any, ...], int] = {}
        if node is not None:
            _lines_of(node, (), lines)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise FileProblem(path, mark.line + 1 if mark else None, f"not valid YAML: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise FileProblem(path, None, f"not valid YAML: {error}") from None
    finally:
        loader.dispose()
    return data, lines


def _lines_of(node: yaml.Node, at: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[(*at, key.value)] = key.start_mark.line + 1
            _lines_of(value, (*at, key.value), lines)
            lines[(*at, key.value)] = key.start_mark.line + 1  # the key's line, not its value's
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines_of(item, (*at, index), lines)


def _refuse_tokens(path: Path, value: Any, at: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    """A literal token in a file would be shared with the file: only ${...} references are taken."""
    if isinstance(value, dict):
        for key, item in value.items():
            if _TOKEN_KEYS.match(str(key)) and isinstance(item, str) and item and not item.startswith("${"):
                raise FileProblem(path, lines.get((*at, key)), f"{key!r} holds a secret: a collection never holds "
                                  "one (leave it out: the runner sends the token of the server it runs against)")
            _refuse_tokens(path, item, (*at, key), lines)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_tokens(path, item, (*at, index), lines)


def dump(call: dict[str, Any]) -> str:
    """A call file's text, keys in the documented order (what `save` and `import` write)."""
    ordered = {key: call[key] for key in KEYS if call.get(key) not in (None, [], {}) or key == "args"}
    return yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
