"""The CLI never shows a traceback and never stops a call over its own files: unexpected errors, a history
or a download folder that cannot be used, SIGTERM and ctrl+c in the middle of a stream."""

from __future__ import annotations

import argparse
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from explorer.cli import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE, main
from explorer.cli.output import outcome_json, print_outcome
from explorer.protocol.outcomes import Exchange, Stream

from .modes import mode, posix_modes

STREAM_ARGS = json.dumps({"model": "fake", "stream": True, "messages": [{"role": "user", "content": "slowly"}]})


# -- unexpected errors ------------------------------------------------------------------------------


def fail_unexpectedly(cli, home: Path, token: str):
    """`profiles add` with a file where the config folder should be: an error no check foresees."""
    home.mkdir()
    (home / "config").write_text("a file where the config folder should be")
    return cli("profiles", "add", "work", env={"PUTER_EXPLORER_HOME": str(home), "PUTER_AUTH_TOKEN": token})


def test_unexpected_error_is_one_line_and_its_traceback_goes_to_the_error_log(cli, tmp_path):
    token = "tok-in-the-path-7f3a9c"  # in the home path, so the error text itself holds the token
    home = tmp_path / f"home-{token}"
    run = fail_unexpectedly(cli, home, token)
    assert run.code == EXIT_FAILURE
    lines = run.err.strip().splitlines()
    assert len(lines) == 2, run.err
    assert lines[0].startswith("error: a file is in the way of this folder: ")
    assert lines[0].endswith(f"home-<redacted>{os.sep}config")
    assert "rerun with --debug" in lines[1]
    assert "Traceback" not in run.err and token not in run.err
    text = (home / "state" / "errors.log").read_text()
    assert "Traceback (most recent call last)" in text and "NotADirectoryError" in text
    assert token not in text and "home-<redacted>" in text


@posix_modes
def test_the_error_log_is_private(cli, tmp_path):
    home = tmp_path / "home"
    assert fail_unexpectedly(cli, home, "tok-private-log-0001").code == EXIT_FAILURE
    log = home / "state" / "errors.log"
    assert mode(log) == 0o600 and mode(log.parent) == 0o700


def test_debug_flag_prints_the_traceback_on_stderr(cli):
    (cli.home / "config").parent.mkdir(parents=True)
    (cli.home / "config").write_text("in the way")
    run = cli("--debug", "profiles", "add", "work", env={"PUTER_AUTH_TOKEN": "tok-debug-1234"})
    assert run.code == EXIT_FAILURE
    assert run.err.startswith("error: a file is in the way of this folder")
    assert "Traceback (most recent call last)" in run.err and "NotADirectoryError" in run.err
    assert "tok-debug-1234" not in run.err
    assert not (cli.home / "state" / "errors.log").exists()


def test_an_error_after_the_call_is_exit_3_not_a_usage_error(cli, against):
    flags, env = against
    put = cli(*flags, "call", "puter-kvstore", "set", "--args", '{"key":"accent","value":"caf\u00e9"}', env=env)
    assert put.code == EXIT_OK, put.err
    # The answer cannot be written to an ASCII-only stdout: a ValueError (UnicodeEncodeError) once it is in.
    run = cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"accent"}',
              env={**env, "PYTHONIOENCODING": "ascii"})
    assert run.code == EXIT_FAILURE, run.err
    lines = run.err.strip().splitlines()
    assert lines[0].startswith("error: UnicodeEncodeError: 'ascii' codec can't encode character")
    assert lines[1].startswith("rerun with --debug") and len(lines) == 2 and run.out == ""
    log = (cli.home / "state" / "errors.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "UnicodeEncodeError" in log
    newest = json.loads(cli("history", "--json", "--limit", "1").out)[0]
    assert newest["id"] == 2 and newest["method"] == "get" and newest["kind"] == "result"  # it was sent


def test_a_lookup_error_from_a_bug_is_exit_3(demo_server, tmp_path, monkeypatch, capsys):
    import explorer.cli.calls

    def broken_print(*args, **kwargs):
        raise KeyError("kind")  # a bug's KeyError once the call is in, not a usage error

    monkeypatch.setenv("PUTER_EXPLORER_HOME", str(tmp_path))
    monkeypatch.setenv("PUTER_AUTH_TOKEN", demo_server.token)
    with monkeypatch.context() as patch:
        patch.setattr(explorer.cli.calls, "print_outcome", broken_print)
        code = main(["--origin", demo_server.origin, "call", "puter-kvstore", "set", "--args", '{"key":"bug","value":3}'])
    assert code == EXIT_FAILURE
    err = capsys.readouterr().err
    assert "error: KeyError: 'kind'" in err and "rerun with --debug" in err and "Traceback" not in err
    assert main(["--origin", demo_server.origin, "call", "puter-kvstore", "get", "--args", '{"key":"bug"}']) == EXIT_OK
    assert json.loads(capsys.readouterr().out) == 3  # the set before the error was sent


def test_unexpected_error_in_process_returns_3(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PUTER_EXPLORER_HOME", str(tmp_path))
    (tmp_path / "config").write_text("in the way")
    assert main(["profiles", "use", "nobody"]) == EXIT_USAGE  # a known error: no such profile
    assert main(["profiles", "add", "work", "--set-origin", "http://127.0.0.1:9"]) == EXIT_FAILURE
    err = capsys.readouterr().err
    assert "error: a file is in the way of this folder" in err and "Traceback" not in err


# -- a history or a download folder that cannot be used ------------------------------------------------


def test_call_is_made_when_the_data_folder_is_a_file(cli, against):
    flags, env = against
    cli.home.mkdir()
    (cli.home / "data").write_text("a file where the data folder should be")
    run = cli(*flags, "call", "puter-kvstore", "set", "--args", '{"key":"unrecorded","value":5}', env=env)
    assert run.code == EXIT_OK, run.err
    assert json.loads(run.out) is True
    assert "warning: this call is not recorded in the history: " in run.err and "a file is in the way" in run.err
    assert "Traceback" not in run.err and "history entry" not in run.err
    got = cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"unrecorded"}', env=env)
    assert json.loads(got.out) == 5  # the set really was sent


def synthesize_with_responses_blocked(cli, against):
    """A binary call while a file stands where the responses folder should be; returns the run and the
    path it printed."""
    flags, env = against
    (cli.home / "data").mkdir(parents=True)
    (cli.home / "data" / "responses").write_text("in the way")
    run = cli(*flags, "call", "puter-tts", "synthesize", "--args", '{"text":"hi"}', "--no-history", env=env)
    assert run.code == EXIT_OK, run.err
    return run, Path(run.out.strip())


def test_binary_goes_to_a_temporary_folder_when_responses_cannot_be_created(cli, against):
    run, saved = synthesize_with_responses_blocked(cli, against)
    try:
        assert saved.read_bytes()[:4] == b"RIFF"
        assert saved.parent != cli.home / "data" / "responses"
        assert f"warning: responses are saved in {saved.parent} (a file is in the way" in run.err
    finally:
        shutil.rmtree(saved.parent)


@posix_modes
def test_the_temporary_responses_folder_is_private(cli, against):
    run, saved = synthesize_with_responses_blocked(cli, against)
    try:
        assert mode(saved.parent) == 0o700
    finally:
        shutil.rmtree(saved.parent)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="a folder's mode does not stop Windows or root from writing to it")
def test_call_is_made_when_the_data_folder_is_read_only(cli, against):
    flags, env = against
    data = cli.home / "data"
    data.mkdir(parents=True)
    data.chmod(0o500)
    try:
        run = cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"ro"}', env=env)
    finally:
        data.chmod(0o700)
    assert run.code == EXIT_OK and json.loads(run.out) is None
    assert "warning: this call is not recorded in the history: " in run.err


def test_replay_without_a_history_says_why(cli, against):
    flags, env = against
    cli.home.mkdir()
    (cli.home / "data").write_text("in the way")
    run = cli(*flags, "replay", "1", env=env)
    assert run.code == EXIT_USAGE
    assert "error: no history entry 1 (the history cannot be opened)" in run.err and "Traceback" not in run.err


# -- streams --------------------------------------------------------------------------------------------


def truncated_stream(tmp_path: Path) -> tuple[Stream, str]:
    """A stream whose text memory kept only the end of, with its whole body saved (as the client leaves it)."""
    pieces = [f"piece {n}. " for n in range(40)]
    body = tmp_path / "stream.ndjson"
    body.write_text("".join(json.dumps({"type": "text", "text": p}) + "\n" for p in pieces)
                    + json.dumps({"type": "usage", "usage": {}}) + "\n")
    whole = "".join(pieces)
    tail = whole[-30:]
    exchange = Exchange("POST", "http://127.0.0.1:9/drivers/call", {}, "{}", status=200)
    chunks = [{"type": "text", "text": p} for p in pieces[-3:]] + [{"type": "usage", "usage": {}}]
    return Stream(exchange, chunks=chunks, text=tail, saved_path=body, chunk_count=41, text_chars=len(whole)), whole


def test_stream_json_says_how_much_there_was_and_where_the_rest_is(tmp_path, capsys):
    stream, whole = truncated_stream(tmp_path)
    data = outcome_json(stream, 4)
    assert data["chunk_count"] == 41 and len(data["chunks"]) == 4 and data["text_truncated"] is True
    assert data["text_chars"] == len(whole) and data["text"] == whole[-30:]
    assert data["saved_path"] == str(tmp_path / "stream.ndjson")
    options = argparse.Namespace(json=True, output=None)
    assert print_outcome(stream, 4, options, streamed=False) == EXIT_OK
    captured = capsys.readouterr()
    assert json.loads(captured.out)["chunk_count"] == 41
    assert f"only its last 30 are shown here; the whole stream is saved in {tmp_path / 'stream.ndjson'}" in captured.err


def test_stream_output_file_gets_the_whole_text_even_when_memory_kept_its_end(tmp_path, capsys):
    stream, whole = truncated_stream(tmp_path)
    target = tmp_path / "reply.txt"
    assert print_outcome(stream, None, argparse.Namespace(json=False, output=target), streamed=False) == EXIT_OK
    assert target.read_text() == whole
    assert capsys.readouterr().out.strip() == str(target)


def test_stream_output_file_from_the_cli(cli, against, tmp_path):
    flags, env = against
    target = tmp_path / "reply.txt"
    run = cli(*flags, "call", "puter-chat-completion", "complete", "--args", STREAM_ARGS, "-o", str(target), env=env)
    assert run.code == EXIT_OK, run.err
    assert run.out.strip() == str(target)
    assert target.read_text().startswith("This is a fake answer from the demo server.")


# -- SIGTERM and ctrl+c during a stream --------------------------------------------------------------------


def interrupt_a_stream(cli, server, signum: int) -> tuple[int, str, str]:
    """Start a streamed call, wait (bounded) for its first text, send `signum`; returns (code, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUTER_")}
    env.update(PUTER_EXPLORER_HOME=str(cli.home), PUTER_AUTH_TOKEN=server.token)
    process = subprocess.Popen(
        [sys.executable, "-m", "explorer", "--origin", server.origin, "call", "puter-chat-completion", "complete",
         "--args", STREAM_ARGS], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=15), "no output within 15 s"
        first = os.read(process.stdout.fileno(), 4096)
        assert first, "the command ended before any output"
        process.send_signal(signum)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
    return process.returncode, first.decode() + out.decode(), err.decode()


@pytest.mark.skipif(sys.platform == "win32", reason="Windows cannot send SIGINT or a catchable SIGTERM to a process")
@pytest.mark.parametrize("signum, code, word", [
    (signal.SIGTERM, EXIT_TERMINATED, "terminated"),
    (signal.SIGINT, EXIT_INTERRUPTED, "interrupted"),
])
def test_a_signal_during_a_stream_exits_and_marks_the_entry(cli, make_demo_server, signum, code, word):
    slow = make_demo_server(stream_delay=2.0)  # 7 chunks, 2 s apart: the first arrives at once
    started = time.monotonic()
    returncode, out, err = interrupt_a_stream(cli, slow, signum)
    assert returncode == code, err
    assert err.strip().splitlines()[-1] == word and "Traceback" not in err
    assert out.startswith("This is a fake answer") and "Use it to try" not in out  # stopped mid-stream
    assert time.monotonic() - started < 10  # did not wait for the stream to end
    history = cli("history", "--json")
    assert history.code == EXIT_OK, history.err
    [entry] = json.loads(history.out)
    assert entry["kind"] == "failure" and entry["error_message"] == word
