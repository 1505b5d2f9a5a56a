"""What a call file expects of its answer, and the check of an answer against it.

    expect:
      kind: result | driver_error | binary | stream | failure   # or a list: any of them
      error_code: no_such_key                 # a driver error's code (or a list: any of them)
      values:                                 # values at paths of the answer
        - {path: $.uid, exists: true}
        - {path: $.name, equals: "demo"}
        - {path: $.text, contains: "hello"}
        - {path: $.id, matches: "^[0-9a-f-]+$"}
        - {path: $.items, type: array}        # string, number, integer, boolean, object, array, null
      content_type: audio/                    # a binary's type starts with this
      size: {min: 100, max: 5000000}          # a binary's bytes
      stream_contains: "hello"                # a stream's text
      duration_ms: {max: 5000}

Each test applies to the kinds it speaks of (content_type to a binary, values to a result, a driver error's
body or a stream's chunks), so one file can allow two kinds. Without `kind`, the kind follows from what is expected (error_code: a driver error; content_type or size:
a binary; stream_contains: a stream), else a result. The answer a path reads is a result's value, a driver
error's body, or a stream's last chunks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .paths import Missing, PathError, lookup, parse

KINDS = ("result", "driver_error", "binary", "stream", "failure")
KEYS = ("kind", "error_code", "values", "content_type", "size", "stream_contains", "duration_ms")
TESTS = ("equals", "contains", "matches", "type", "exists")
TYPES = {
    "string": lambda v: isinstance(v, str), "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool), "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list), "null": lambda v: v is None,
}


class FormError(ValueError):
    """An expectation written in a way the format does not know; `keys` lead to it inside `expect`."""

    def __init__(self, keys: tuple[Any, ...], message: str) -> None:
        super().__init__(message)
        self.keys = keys


@dataclass
class Observed:
    """What a call gave, as the expectations read it."""

    kind: str
    answer: Any = None  # a result's value, a driver error's body, a stream's chunks
    error_code: str | None = None
    content_type: str | None = None
    size: int | None = None
    text: str | None = None  # a stream's text
    duration_ms: float = 0.0
    message: str | None = None  # a failure's or driver error's words


def expected_kinds(expect: dict[str, Any]) -> list[str]:
    return _listed(expect["kind"]) if "kind" in expect else [_implied_kind(expect)]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _implied_kind(expect: dict[str, Any]) -> str:
    if "error_code" in expect:
        return "driver_error"
    if "content_type" in expect or "size" in expect:
        return "binary"
    if "stream_contains" in expect:
        return "stream"
    return "result"


def check_form(expect: dict[str, Any]) -> None:
    """FormError when `expect` says something the format does not know (unknown key, bad value)."""
    for key in expect:
        if key not in KEYS:
            raise FormError((key,), f"unknown expectation {key!r} (known: {', '.join(KEYS)})")
    if "kind" in expect and (not _listed(expect["kind"]) or any(k not in KINDS for k in _listed(expect["kind"]))):
        raise FormError(("kind",), f"kind is one of {', '.join(KINDS)} (or a list of them), not {expect['kind']!r}")
    if "error_code" in expect and not all(isinstance(c, str) for c in _listed(expect["error_code"])):
        raise FormError(("error_code",), "error_code is text (or a list of codes)")
    for key in ("content_type", "stream_contains"):
        if key in expect and not isinstance(expect[key], str):
            raise FormError((key,), f"{key} is text")
    for key in ("size", "duration_ms"):
        if key in expect:
            _bounds(expect[key], key)
    values = expect.get("values", [])
    if not isinstance(values, list):
        raise FormError(("values",), "values is a list of {path: ..., equals|contains|matches|type|exists: ...}")
    for index, test in enumerate(values):
        at = ("values", index)
        if not isinstance(test, dict) or "path" not in test:
            raise FormError(at, "each value test has a path: {path: $.name, equals: ...}")
        try:
            parse(test["path"])
        except PathError as error:
            raise FormError(at, str(error)) from None
        named = [key for key in test if key != "path"]
        if len(named) != 1 or named[0] not in TESTS:
            raise FormError(at, f"each value test has one of {', '.join(TESTS)} beside its path, not {named}")
        if named[0] == "type" and test["type"] not in TYPES:
            raise FormError(at, f"type is one of {', '.join(TYPES)}, not {test['type']!r}")
        if named[0] == "matches":
            try:
                re.compile(str(test["matches"]))
            except re.error as error:
                raise FormError(at, f"matches: not a regular expression ({error})") from None


def _bounds(value: Any, key: str) -> tuple[float | None, float | None]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None, float(value)  # a number alone is the most
    if isinstance(value, dict) and value and set(value) <= {"min", "max"} and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values()
    ):
        return value.get("min"), value.get("max")
    raise FormError((key,), f"{key} is a number (the most) or {{min: ..., max: ...}}")


def check(expect: dict[str, Any], seen: Observed) -> list[str]:
    """The expectations `seen` does not meet, one line each (empty: it passes)."""
    kinds = expected_kinds(expect)
    if seen.kind not in kinds:
        why = f": {seen.message}" if seen.message else ""
        wanted = " or ".join(kind.replace("_", " ") for kind in kinds)
        return [f"expected a {wanted}, got a {seen.kind.replace('_', ' ')}{why}"]
    failures = []
    if "error_code" in expect and seen.kind == "driver_error" and seen.error_code not in _listed(expect["error_code"]):
        failures.append(f"error_code: expected {expect['error_code']!r}, got {seen.error_code!r}")
    if "content_type" in expect and seen.kind == "binary" and not (seen.content_type or "").startswith(expect["content_type"]):
        failures.append(f"content_type: expected {expect['content_type']!r}, got {seen.content_type!r}")
    for key, got in (("size", seen.size), ("duration_ms", seen.duration_ms)):
        if key in expect and (key == "duration_ms" or seen.kind == "binary"):
            low, high = _bounds(expect[key], key)
            if got is None or (low is not None and got < low) or (high is not None and got > high):
                failures.append(f"{key}: expected {_range(low, high)}, got {_number(got)}")
    if "stream_contains" in expect and seen.kind == "stream" and expect["stream_contains"] not in (seen.text or ""):
        failures.append(f"stream text: expected to contain {expect['stream_contains']!r}, got {_short(seen.text)}")
    for test in expect.get("values", []) if seen.kind in ("result", "driver_error", "stream") else []:
        problem = _value_problem(test, seen.answer)
        if problem:
            failures.append(problem)
    return failures


def _value_problem(test: dict[str, Any], answer: Any) -> str | None:
    path = test["path"]
    (name, wanted), = ((k, v) for k, v in test.items() if k != "path")
    try:
        value = lookup(answer, path)
    except Missing:
        if name == "exists" and not wanted:
            return None
        return f"{path}: nothing there (expected it to {name} {json.dumps(wanted)})" if name != "exists" else f"{path}: nothing there"
    if name == "exists":
        return None if wanted else f"{path}: expected nothing there, got {_short(value)}"
    if name == "equals":
        return None if _same(value, wanted) else f"{path}: expected {_short(wanted)}, got {_short(value)}"
    if name == "contains":
        ok = (wanted in value) if isinstance(value, (str, list)) else isinstance(value, dict) and wanted in value
        return None if ok else f"{path}: expected to contain {_short(wanted)}, got {_short(value)}"
    if name == "matches":
        text = value if isinstance(value, str) else json.dumps(value)
        return None if re.search(str(wanted), text) else f"{path}: expected to match {wanted!r}, got {_short(value)}"
    return None if TYPES[wanted](value) else f"{path}: expected a {wanted}, got {_short(value)}"


def _same(one: Any, other: Any) -> bool:
    """Equal as JSON: key order never counts, and 1 equals 1.0 but true does not equal 1."""
    return json.dumps(one, sort_keys=True) == json.dumps(other, sort_keys=True) or (
        isinstance(one, (int, float)) and isinstance(other, (int, float))
        and not isinstance(one, bool) and not isinstance(other, bool) and one == other
    )


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{_number(low)}..{_number(high)}"
    return f">= {_number(low)}" if low is not None else f"<= {_number(high)}"


def _number(value: float | None) -> str:
    return "nothing" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _short(value: Any, width: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"
