"""Pure parts: safe text, what the tabs render, the keymap file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.text import Text

from explorer.protocol.outcomes import Binary, Exchange, Result, Stream
from explorer.tui import keymap
from explorer.tui.calls import Call
from explorer.terminal_text import clean, safe_text
from explorer.tui.views import body, render


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


def test_a_huge_result_comes_in_batches_the_first_one_small_and_nothing_is_cut():
    value = [{"n": n, "text": "x" * 100, "nested": {"ok": True}} for n in range(20_000)]  # ~3 MB pretty
    prepared = render.prepare(_call(Result(_exchange(size=3_000_000), value=value)))
    assert prepared.body is not None and prepared.body.language == "json"
    batches = list(prepared.body.batches)
    assert len(batches) > 3
    assert sum(len(line) + 1 for line in batches[0]) <= body.FIRST_BATCH_CHARS + 200
    lines = [line for batch in batches for line in batch]
    assert lines == json.dumps(value, indent=2).split("\n")


def test_json_lines_escape_c1_controls_that_json_itself_leaves_alone():
    prepared = render.prepare(_call(Result(_exchange(), value={"csi": "\x9b2J", "sep": "a\u2028b"})))
    text = "\n".join(line for batch in prepared.body.batches for line in batch)
    assert "\\x9b2J" in text and "\x9b" not in text and "\u2028" not in text


def test_binary_view_has_path_type_size_sha_and_a_hex_dump(tmp_path: Path):
    outcome = Binary(_exchange(), tmp_path / "f.wav", "audio/wav", 4, "ab" * 32, "f.wav", head=b"RIFF")
    prepared = render.prepare(_call(outcome))
    assert "audio/wav" in prepared.summary.plain and "ab" * 32 in prepared.summary.plain
    assert "f.wav" in prepared.summary.plain
    assert next(prepared.body.batches)[0].startswith("0000  52 49 46 46")


def test_raw_view_escapes_control_characters():
    outcome = Result(_exchange(body_head=b'{"a": "\x1b[2J"}'), value={"a": "\x1b[2J"})
    raw = "\n".join(render.raw_lines(_call(outcome)))
    assert "\\x1b[2J" in raw and "\x1b" not in raw


def test_a_stream_cut_to_its_tail_says_so_and_where_the_whole_is(tmp_path: Path):
    outcome = Stream(_exchange(), text="end of it", text_chars=5_000_000, chunk_count=90_000,
                     saved_path=tmp_path / "s.ndjson")
    prepared = render.prepare(_call(outcome))
    assert "the last 9 of 5000000 characters" in prepared.summary.plain
    assert "s.ndjson" in prepared.body.note and next(prepared.body.batches) == ["end of it"]


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
