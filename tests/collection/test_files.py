"""Call files: what a person writes is read as written, and every problem names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.collection.files import FileProblem, dump, find, load

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "demo"


def write(tmp_path: Path, text: str, name: str = "call.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_example_loads():
    files = [load(path) for path in find([EXAMPLES])]
    assert len(files) >= 15
    assert [f.key for f in files] == sorted(f.key for f in files)
    interfaces = {f.interface for f in files}
    assert {"puter-kvstore", "puter-apps", "puter-chat-completion", "puter-tts", "puter-ocr",
            "puter-image-generation", "puter-notifications"} <= interfaces


def test_a_file_is_read_with_its_defaults(tmp_path):
    call = load(write(tmp_path, "interface: puter-kvstore\nmethod: get\nargs: {key: a}\n"))
    assert (call.name, call.service, call.test_mode, call.args, call.expect) == ("call", None, False, {"key": "a"}, {})


@pytest.mark.parametrize("text, line, why", [
    ("interface: puter-kvstore\nmethod: get\nargs: {key: a\n", 4, "not valid YAML"),
    ("interface: puter-kvstore\nmethod: get\nexpected: {kind: result}\n", 3, "unknown key 'expected'"),
    ("interface: puter-kvstore\nmethod: get\nexpect:\n  kind: result\n  colour: red\n", 5, "unknown expectation 'colour'"),
    ("interface: puter-kvstore\nmethod: get\nexpect:\n  values:\n    - {path: $.a}\n", 5, "one of equals"),
    ("interface: puter-kvstore\nmethod: get\nexpect:\n  values:\n    - {path: a.b, equals: 1}\n", 5, "starts with $"),
    ("interface: puter-kvstore\nmethod: get\nexpect: {kind: answer}\n", 3, "kind is one of"),
    ("interface: puter-kvstore\nargs: {}\n", 1, "'method' is required"),
    ("interface: puter-kvstore\nmethod: get\ncapture: {uid: uid}\n", 3, "capture 'uid'"),
    ("interface: puter-kvstore\nmethod: get\nargs:\n  key: a\n  auth_token: abcdefgh12345\n", 5, "holds a secret"),
    ("- just\n- a list\n", 1, "a call file is a mapping"),
])
def test_a_bad_file_names_its_line_and_why(tmp_path, text, line, why):
    path = write(tmp_path, text)
    with pytest.raises(FileProblem) as problem:
        load(path)
    assert problem.value.path == path and problem.value.line == line and why in problem.value.why


def test_a_dumped_call_reads_back_the_same(tmp_path):
    call = {"name": "a set", "interface": "puter-kvstore", "service": None, "method": "set",
            "args": {"key": "k", "value": {"nested": [1, None, "two"]}}, "expect": {"kind": "result"}}
    loaded = load(write(tmp_path, dump(call)))
    assert (loaded.name, loaded.interface, loaded.method, loaded.args, loaded.expect) == (
        "a set", "puter-kvstore", "set", call["args"], {"kind": "result"})
    assert "service" not in dump(call)  # what is not set is not written
