"""`call/replay/show --view` against the demo server of both generations: the driver views as plain text."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from explorer.cli import EXIT_OK

BLOCKS = set(" ▁▂▃▄▅▆▇█")


@pytest.fixture(params=["v1", "v2"])
def server(request, demo_server, demo_server_v1):
    """Flags and environment that point the CLI at the demo server of one generation."""
    return demo_server if request.param == "v2" else demo_server_v1


def call(cli, server, *args: str, columns: int = 80):
    env = {"PUTER_AUTH_TOKEN": server.token, "COLUMNS": str(columns)}
    run = cli("--origin", server.origin, *args, env=env)
    assert server.token not in run.out and server.token not in run.err
    assert "\x1b" not in run.out and "\x9b" not in run.out  # nothing that drives the terminal
    return run


def entry_of(run) -> int:
    return int(re.search(r"history entry (\d+)", run.err).group(1))


def cells(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_chat_transcript_reply_usage_and_model(cli, server):
    args = {"model": "fake", "messages": [{"role": "system", "content": "be brief"},
                                          {"role": "user", "content": "\x1b[2Jhello *there*"}]}
    run = call(cli, server, "call", "puter-chat-completion", "complete", "--args", json.dumps(args), "--view")
    assert run.code == EXIT_OK, run.err
    lines = run.out.splitlines()
    roles = [line.split()[1] for line in lines if line.startswith("── ")]
    assert roles == ["system", "user", "assistant"]
    assert "  be brief" in lines and "  \\x1b[2Jhello *there*" in lines  # the control shown, not obeyed
    reply = run.out.split("── assistant")[1]
    assert "This is a fake answer from the demo server" in " ".join(reply.split())
    assert re.search(r"^model: +fake$", run.out, re.M)
    assert re.search(r"^usage: +input_tokens \d+ · output_tokens \d+", run.out, re.M)
    assert not run.out.lstrip().startswith("{")  # the view, not the JSON
    # The same view of the stored entry.
    shown = cli("show", str(entry_of(run)), "--view", env={"COLUMNS": "80"})
    assert shown.code == EXIT_OK, shown.err
    assert shown.out.split("── assistant")[1].split("model:")[0] == reply.split("model:")[0]
    assert re.search(r"^model: +fake$", shown.out, re.M)


def test_streamed_chat_is_shown_once_as_a_transcript(cli, server):
    args = {"model": "fake", "stream": True, "messages": [{"role": "user", "content": "stream it"}]}
    run = call(cli, server, "call", "puter-chat-completion", "complete", "--args", json.dumps(args), "--view")
    assert run.code == EXIT_OK, run.err
    assert run.out.count("This is a fake answer") == 1  # not echoed live, then again
    assert [line for line in run.out.splitlines() if line.startswith("── ")][-1].startswith("── assistant")
    assert re.search(r"^usage: +input_tokens 2 · output_tokens \d+", run.out, re.M)
    replayed = call(cli, server, "replay", str(entry_of(run)), "--view")
    assert replayed.code == EXIT_OK, replayed.err
    assert replayed.out.count("This is a fake answer") == 1 and "── user" in replayed.out


def test_kv_list_as_a_table_that_fits_the_width(cli, server):
    prefix = f"view-{server.generation}-"
    values = {"a": 1, "b": "a rather long text value that cannot fit in a narrow table at all", "c": {"n": [1, 2]}}
    for key, value in values.items():
        put = call(cli, server, "call", "puter-kvstore", "set", "--args",
                   json.dumps({"key": prefix + key, "value": value}))
        assert put.code == EXIT_OK, put.err
    run = call(cli, server, "call", "puter-kvstore", "list", "--args", json.dumps({"pattern": prefix + "*"}),
               "--view", columns=40)
    assert run.code == EXIT_OK, run.err
    lines = run.out.splitlines()
    assert lines[0] == "3 rows"
    assert lines[2].split() == ["key", "value"] and set(lines[3].replace(" ", "")) == {"─"}
    rows = lines[4:]
    assert [row.split()[0] for row in rows] == [prefix + k for k in values]
    assert all(cells(line) <= 40 for line in lines)
    assert rows[1].endswith("…") and rows[1].split()[1] == "a"  # cut, not wrapped
    assert rows[0].split()[1] == "1" and '{"n": [1, 2]}' in rows[2]
    # Columns line up: every value starts where the header's "value" does.
    start = lines[2].index("value")
    assert all(row[start - 2:start] == "  " and row[start] != " " for row in rows)
    got = call(cli, server, "call", "puter-kvstore", "get", "--args", json.dumps({"key": prefix + "c"}), "--view")
    assert got.out.splitlines()[0] == "1 row" and got.out.splitlines()[4].split() == ["n", "[1,", "2]"]


def test_tts_audio_facts_and_waveform(cli, server):
    run = call(cli, server, "call", "puter-tts", "synthesize", "--args", '{"text": "hello"}', "--view", columns=60)
    assert run.code == EXIT_OK, run.err
    facts = dict(re.findall(r"^([a-z ]+): +(.+)$", run.out, re.M))
    assert facts["content type"] == "audio/wav"
    assert facts["duration"].startswith("0.500 s")
    assert re.fullmatch(r"\d+ Hz", facts["sample rate"]) and facts["channels"] == "1 (mono)"
    assert facts["sample size"] == "16 bits"
    saved = Path(facts["saved to"])
    assert saved.read_bytes()[:4] == b"RIFF" and facts["size"].endswith(f"({saved.stat().st_size} bytes)")
    wave_line = run.out.splitlines()[run.out.splitlines().index("waveform:") + 1]
    assert len(wave_line) == 60 and set(wave_line) <= BLOCKS and "█" in wave_line


def test_ocr_blocks_with_confidence(cli, server):
    run = call(cli, server, "call", "puter-ocr", "recognize", "--test-mode", "--args", '{"source": "/x.png"}', "--view")
    assert run.code == EXIT_OK, run.err
    lines = run.out.splitlines()
    assert lines[0] == "1 text block, mean confidence 100%"
    assert lines[2] == "██████████ 100%  text/puter:sample-output"
    assert lines[3] == "  test_mode is enabled; this is a sample OCR response."


def test_generated_image_is_saved_with_its_type_and_size(cli, server):
    run = call(cli, server, "call", "puter-image-generation", "generate", "--args",
               '{"prompt": "a gradient", "width": 48, "height": 32}', "--view")
    assert run.code == EXIT_OK, run.err
    facts = dict(re.findall(r"^([a-z ]+): +(.+)$", run.out, re.M))
    saved = Path(facts["saved to"])  # v1 answers with the bytes, v2 with a data URI that the view decodes
    assert saved.is_file() and saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert facts["content type"] == "image/png" and facts["image"] == "48 × 32 px, PNG"
    assert facts["size"].endswith(f"({saved.stat().st_size} bytes)")
    again = cli("show", str(entry_of(run)), "--view")
    assert again.code == EXIT_OK and "48 × 32 px, PNG" in again.out


def test_without_a_view_the_usual_output(cli, server):
    run = call(cli, server, "call", "puter-kvstore", "set", "--args", '{"key": "plain", "value": 1}', "--view")
    assert run.code == EXIT_OK and json.loads(run.out) is True
    failed = call(cli, server, "call", "puter-kvstore", "noSuchMethod", "--view")
    assert failed.out == "" and "driver error" in failed.err


def test_the_views_are_read_without_textual_in_the_same_order_as_the_tui():
    code = ("import sys, explorer.driver_views.text; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich', 'httpx'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    from explorer import driver_views
    from explorer.tui.views import drivers

    names = {drivers.ChatView: "chat", drivers.TableView: "table", drivers.ImageView: "image",
             drivers.AudioView: "audio", drivers.OcrView: "ocr", drivers.BinaryView: "binary"}
    assert [names[view] for view in drivers.VIEWS] == [name for name, _ in driver_views.FITS]
