"""`call -o PATH`: a binary body is written once, at PATH, and the history records it there."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from explorer.cli import EXIT_OK

TTS = ("call", "puter-tts", "synthesize", "--args", '{"text":"written once"}')


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def entry_id(err: str) -> int:
    [line] = [line for line in err.splitlines() if line.startswith("history entry ")]
    return int(line.split()[-1])


def test_call_output_is_written_once_and_recorded_where_it_is(cli, against, tmp_path):
    flags, env = against
    target = tmp_path / "out" / "tone.wav"
    target.parent.mkdir()
    run = cli(*flags, *TTS, "-o", str(target), env=env)
    assert run.code == EXIT_OK, run.err
    assert run.out.strip() == str(target)
    assert "note:" not in run.err  # a WAV answer in a .wav file: nothing to say
    body = target.read_bytes()
    assert body[:4] == b"RIFF"
    digest = hashlib.sha256(body).hexdigest()
    assert digest in run.err

    data = cli.home / "data"
    # The only copy is the user's: nothing in the history's bodies folder, nothing left in the responses folder.
    assert files_under(data / "bodies") == []
    assert files_under(data / "responses") == []
    assert files_under(target.parent) == [target]

    number = entry_id(run.err)
    shown = cli("show", str(number), "--json")
    assert shown.code == EXIT_OK, shown.err
    entry = json.loads(shown.out)
    assert entry["kind"] == "binary" and entry["body_path"] == str(target)
    assert entry["result"]["file"] == str(target) and entry["result"]["sha256"] == digest
    assert "missing" not in entry["result"] and "moved or deleted" not in shown.err

    # Pruning the entry leaves the user's file alone.
    pruned = cli("history", "prune", "--keep", "0")
    assert pruned.code == EXIT_OK, pruned.err
    assert "removed 1 entries" in pruned.err
    assert target.read_bytes() == body


def test_show_says_when_the_output_file_was_deleted(cli, against, tmp_path):
    flags, env = against
    target = tmp_path / "gone.wav"
    run = cli(*flags, *TTS, "-o", str(target), env=env)
    assert run.code == EXIT_OK, run.err
    number = entry_id(run.err)
    target.unlink()

    shown = cli("show", str(number), "--json")
    assert shown.code == EXIT_OK, shown.err
    entry = json.loads(shown.out)
    assert entry["body_path"] == str(target)
    assert "moved or deleted" in entry["result"]["missing"]
    assert f"{target} was moved or deleted since the call" in shown.err


def test_an_output_name_of_another_type_gets_a_note_and_the_bytes_as_received(cli, against, tmp_path):
    flags, env = against
    target = tmp_path / "hello.mp3"
    run = cli(*flags, *TTS, "-o", str(target), env=env)
    assert run.code == EXIT_OK, run.err
    assert run.out.strip() == str(target)  # stdout still carries only the path
    content_type = json.loads(cli("show", str(entry_id(run.err)), "--json").out)["content_type"]
    assert content_type.startswith("audio/wav")
    assert f"note: the answer is audio/wav; {target} holds it as received" in run.err.splitlines()
    assert target.read_bytes()[:4] == b"RIFF"  # not converted
    unnamed = tmp_path / "hello"
    run = cli(*flags, *TTS, "-o", str(unnamed), env=env)
    assert run.code == EXIT_OK and "note:" not in run.err  # no extension promises a type
