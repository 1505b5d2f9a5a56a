"""Call files made from what a user already has: a history entry, a curl command, a puter.js snippet.

None of them carries a token into the file: a token found in an import is left out, and said so.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from .files import _TOKEN_KEYS

SMALL_RESULT = 2048  # characters of JSON under which a saved result becomes an `equals` expectation


class ImportProblem(ValueError):
    """What was given is not a driver call this can read."""


def from_entry(entry: Any, answer: Any) -> dict[str, Any]:
    """A history entry as a call file, expecting what it gave: its kind, and a small JSON result's value."""
    expect: dict[str, Any] = {"kind": entry.kind}
    if entry.kind == "driver_error" and entry.error_code:
        expect["error_code"] = entry.error_code
    elif entry.kind == "binary" and entry.content_type:
        expect["content_type"] = entry.content_type.split(";")[0].strip()
    elif entry.kind == "result" and len(json.dumps(answer)) <= SMALL_RESULT:
        expect["values"] = [{"path": "$", "equals": answer}]
    return {
        "name": f"{entry.interface} {entry.method}", "interface": entry.interface,
        "service": entry.service or None, "method": entry.method,
        "test_mode": True if entry.test_mode else None, "args": entry.args, "expect": expect,
    }


def from_body(body: Any) -> tuple[dict[str, Any], list[str]]:
    """The call a /drivers/call body makes; notes say what was left out (a token)."""
    if not isinstance(body, dict) or not isinstance(body.get("interface"), str) or not isinstance(body.get("method"), str):
        raise ImportProblem("the body is not a driver call ({interface, method, args} as JSON)")
    notes: list[str] = []
    if "auth_token" in body:
        notes.append("the auth_token in the body was left out: the runner sends the token itself")
    args = _without_tokens(body.get("args", {}), notes)
    call = {
        "name": f"{body['interface']} {body['method']}", "interface": body["interface"],
        "service": body.get("service") or body.get("driver") or None, "method": body["method"],
        "test_mode": True if body.get("test_mode") else None, "args": args, "expect": {"kind": "result"},
    }
    return call, notes


def from_curl(text: str) -> tuple[dict[str, Any], list[str]]:
    """A curl command of POST /drivers/call (as `export --as curl` writes, or a browser's "copy as curl")."""
    try:
        words = shlex.split(text.replace("\\\n", " "))
    except ValueError as error:
        raise ImportProblem(f"cannot read the command: {error}") from None
    data, notes = None, []
    for index, word in enumerate(words):
        if word in ("-d", "--data", "--data-raw", "--data-binary", "--json") and index + 1 < len(words):
            data = words[index + 1]
        elif word in ("-H", "--header") and index + 1 < len(words) and words[index + 1].lower().startswith("authorization"):
            notes.append("the Authorization header was left out: the runner sends the token of the server it runs against")
    if not any("/drivers/call" in word for word in words):
        raise ImportProblem("the command does not call /drivers/call")
    if data is None:
        raise ImportProblem("the command sends no body (-d, --data, --data-raw, --data-binary or --json)")
    if data.startswith("@"):
        raise ImportProblem("the body is read from a file (@...): import that file's content instead")
    try:
        body = json.loads(data)
    except ValueError as error:
        raise ImportProblem(f"the body is not JSON: {error}") from None
    call, more = from_body(body)
    return call, notes + more


_DRIVERS_CALL = re.compile(r"puter\.drivers\.call\s*\(", re.S)


def from_puterjs(text: str) -> tuple[dict[str, Any], list[str]]:
    """A `puter.drivers.call(interface, service, method, args)` snippet (string literals and a JSON-like object)."""
    match = _DRIVERS_CALL.search(text)
    if match is None:
        raise ImportProblem("no puter.drivers.call(...) in the snippet")
    values = _js_arguments(text[match.end():])
    if len(values) < 3:
        raise ImportProblem("puter.drivers.call takes (interface, service, method, args)")
    interface, service, method = values[:3]
    args = values[3] if len(values) > 3 else {}
    if not isinstance(interface, str) or not isinstance(method, str) or not (service is None or isinstance(service, str)):
        raise ImportProblem("the interface, service and method are strings (service may be undefined)")
    return from_body({"interface": interface, "service": service, "method": method, "args": args})


def _js_arguments(text: str) -> list[Any]:
    """The arguments up to the closing parenthesis, read as JSON after the usual JS liberties are undone."""
    depth, end, quote = 0, None, None
    for index, char in enumerate(text):
        if quote:
            if char == "\\":
                continue
            if char == quote and text[index - 1] != "\\":
                quote = None
        elif char in "\"'`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                end = index
                break
            depth -= 1
    if end is None:
        raise ImportProblem("the call's closing parenthesis is missing")
    source = text[:end]
    source = re.sub(r"'((?:[^'\\]|\\.)*)'", lambda m: json.dumps(m.group(1).replace("\\'", "'")), source)
    source = re.sub(r"([{,]\s*)([A-Za-z_$][\w$]*)\s*:", r'\1"\2":', source)  # unquoted keys
    source = re.sub(r",\s*([}\]])", r"\1", source)  # trailing commas
    source = re.sub(r"\bundefined\b", "null", source)
    try:
        return json.loads(f"[{source}]")
    except ValueError as error:
        raise ImportProblem(f"the arguments are not plain data this can read ({error})") from None


def _without_tokens(value: Any, notes: list[str]) -> Any:
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            if _TOKEN_KEYS.match(str(key)) and isinstance(item, str):
                notes.append(f"the {key!r} in the args was left out: a collection never holds a secret")
                continue
            kept[key] = _without_tokens(item, notes)
        return kept
    if isinstance(value, list):
        return [_without_tokens(item, notes) for item in value]
    return value
