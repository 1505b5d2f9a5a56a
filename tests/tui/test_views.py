"""Pure parts: safe text, what the tabs render, the keymap file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.text import Text

from explorer.protocol.outcomes import Binary, Exchange, Result
from explorer.tui import keymap
from explorer.tui.calls import Call
from explorer.tui.safe import clean, safe_text
from explorer.tui.views import render


def test_safe_text_escapes_terminal_controls_and_never_parses_markup():
    text = safe_text("[bold red]x[/] \x1b[31mred\x00\x07 tab\tnew\nline \x9b")
    assert isinstance(text, Text)
    assert text.plain == "[bold red]x[/] \\x1b[31mred\\x00\\x07 tab\tnew\nline \\x9b"
    assert text.spans == []
    assert clean("a\nb\tc", single_line=True) == "a\\nb\\tc"


def _exchange(**kw) -> Exchange:
    return Exchange("POST", "http://h/drivers/call", {}, '{"interface": "i"}', status=200, **kw)


def _call(outcome) -> Call:
    call = Call(key="c", interface="i", method="m", service=None, args={})
    call.finish(1, outcome)
    return call


def test_a_huge_result_is_cut_to_its_head():
    value = ["x" * 100] * 5000  # ~600 KB of pretty JSON
    summary, body = render.result_parts(_call(Result(_exchange(size=600_000), value=value)))
    note = body.renderables[0]
    assert "cut" in note.plain
    assert len(body.renderables[1].code) == render.PRETTY_LIMIT


def test_binary_view_has_path_type_size_sha_and_a_hex_dump(tmp_path: Path):
    outcome = Binary(_exchange(), tmp_path / "f.wav", "audio/wav", 4, "ab" * 32, "f.wav", head=b"RIFF")
    summary, body = render.result_parts(_call(outcome))
    assert "audio/wav" in summary.plain and "ab" * 32 in summary.plain and "f.wav" in summary.plain
    assert body.plain.startswith("0000  52 49 46 46")


def test_raw_view_escapes_control_characters():
    outcome = Result(_exchange(body_head=b'{"a": "\x1b[2J"}'), value={"a": "\x1b[2J"})
    assert "\\x1b[2J" in render.raw_view(_call(outcome)).plain


def test_headers_are_data_not_markup():
    outcome = Result(_exchange(response_headers=[("x-evil", "[link=http://x]y[/link]\x1b]8;;")]), value=1)
    text = render.headers_view(_call(outcome))
    assert "[link=http://x]y[/link]\\x1b]8;;" in text.plain


def test_keymap_file_overrides_named_bindings(tmp_path: Path):
    path = tmp_path / "keymap.json"
    path.write_text(json.dumps({"send": "ctrl+s", "replay": "f6"}))
    assert keymap.load_keymap(path) == {"send": "ctrl+s", "replay": "f6"}
    toml = tmp_path / "keymap.toml"
    toml.write_text('[keymap]\nsend = "f9"\n')
    assert keymap.load_keymap(toml) == {"send": "f9"}
    assert keymap.load_keymap(tmp_path / "missing.json") == {}
    path.write_text(json.dumps({"no-such-binding": "x"}))
    with pytest.raises(keymap.KeymapError, match="unknown binding id"):
        keymap.load_keymap(path)
