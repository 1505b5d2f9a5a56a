"""The CLI as a subprocess against the demo server: results, errors, binaries, streams, exit codes."""

from __future__ import annotations

import hashlib
import json
import wave
from pathlib import Path

import pytest

from explorer.cli import EXIT_DRIVER_ERROR, EXIT_FAILURE, EXIT_OK, EXIT_USAGE

CHAT = '{"model":"fake","messages":[{"role":"user","content":"hello"}]}'


def test_help_documents_exit_codes_for_every_command(cli):
    for command in ([], ["call"], ["history"], ["export"], ["demo-server"], ["interfaces"], ["login"], ["replay"]):
        run = cli(*command, "--help")
        assert run.code == 0, command
        assert "exit codes" in run.out, command
        # Only what answers a driver call can end with a driver error.
        assert ("driver error" in run.out) == (command in ([], ["call"], ["replay"])), command


def test_demo_interfaces_lists_the_server_tree(cli):
    run = cli("--demo", "interfaces")
    assert run.code == EXIT_OK, run.err
    assert "(server generation: v2)" in run.out
    assert "puter-kvstore" in run.out and "set(key: string, value: json" in run.out
    tree = json.loads(cli("--demo", "interfaces", "--json").out)
    assert tree["generation"] == "v2"
    assert tree["interfaces"]["puter-tts"]["default"] == "ai-tts"
    assert tree["interfaces"]["puter-kvstore"]["source"] == "server"


def test_demo_interfaces_v1_falls_back_to_lsmod(cli):
    tree = json.loads(cli("--demo", "--demo-generation", "v1", "interfaces", "--json").out)
    assert tree["generation"] == "v1"
    assert tree["interfaces"]["puter-kvstore"]["methods"]["get"]["source"] == "server"


def test_call_result_goes_to_stdout_and_messages_to_stderr(cli, against):
    flags, env = against
    run = cli(*flags, "call", "puter-kvstore", "set", "--args", '{"key":"cli","value":{"n":1}}', env=env)
    assert run.code == EXIT_OK, run.err
    assert json.loads(run.out) is True
    got = cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"cli"}', env=env)
    assert json.loads(got.out) == {"n": 1}
    assert "history entry" in got.err and "history entry" not in got.out


def test_args_from_file_and_stdin(cli, against, tmp_path):
    flags, env = against
    args_file = tmp_path / "args.json"
    args_file.write_text('{"key": "from-file", "value": 7}')
    assert cli(*flags, "call", "puter-kvstore", "set", "--args", f"@{args_file}", env=env).code == EXIT_OK
    run = cli(*flags, "call", "puter-kvstore", "get", "--args", "-", input='{"key": "from-file"}', env=env)
    assert json.loads(run.out) == 7


def test_invalid_args_exit_2_with_line_and_column_and_nothing_sent(cli, against):
    flags, env = against
    before = cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"invalid-args"}', env=env)
    assert before.code == EXIT_OK and json.loads(before.out) is None
    run = cli(*flags, "call", "puter-kvstore", "set", "--args", '{"key": "invalid-args",\n "value": }', env=env)
    assert run.code == EXIT_USAGE
    assert "line 2, column 11" in run.err and "nothing was sent" in run.err
    assert run.out == ""
    history = cli("history", "--json")
    assert history.code == EXIT_OK, history.err
    assert [e["method"] for e in json.loads(history.out)] == ["get"]  # only the call before it
    after = cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"invalid-args"}', "--no-history", env=env)
    assert json.loads(after.out) is None  # the server never got the set


def test_driver_error_exits_1(cli, against):
    flags, env = against
    run = cli(*flags, "call", "puter-kvstore", "noSuchMethod", env=env)
    assert run.code == EXIT_DRIVER_ERROR
    assert "not_found" in run.err and "HTTP 404" in run.err and run.out == ""
    as_json = cli(*flags, "call", "puter-kvstore", "noSuchMethod", "--json", env=env)
    assert json.loads(as_json.out)["normalised_code"] == "not_found"


def test_unreachable_server_exits_3_without_traceback(cli):
    run = cli("--origin", "http://127.0.0.1:9", "--token", "secret-xyz", "call", "puter-kvstore", "get",
              "--args", '{"key":"k"}')
    assert run.code == EXIT_FAILURE
    assert "could not connect" in run.err and "Traceback" not in run.err
    assert "secret-xyz" not in run.err + run.out


def test_binary_is_saved_and_its_path_printed(cli, against, tmp_path):
    flags, env = against
    run = cli(*flags, "call", "puter-tts", "synthesize", "--args", '{"text":"hi"}', env=env)
    assert run.code == EXIT_OK, run.err
    path = Path(run.out.strip())
    with wave.open(str(path)) as wav:
        assert wav.getnframes() > 0
    assert hashlib.sha256(path.read_bytes()).hexdigest() in run.err
    target = tmp_path / "tone.wav"
    run = cli(*flags, "call", "puter-tts", "synthesize", "--args", '{"text":"hi"}', "-o", str(target), env=env)
    assert run.out.strip() == str(target) and target.read_bytes()[:4] == b"RIFF"


def test_stream_text_is_printed_and_complete(cli, against):
    flags, env = against
    stream_args = json.dumps({**json.loads(CHAT), "stream": True})
    run = cli(*flags, "call", "puter-chat-completion", "complete", "--args", stream_args, env=env)
    assert run.code == EXIT_OK, run.err
    as_json = json.loads(cli(*flags, "call", "puter-chat-completion", "complete", "--args", stream_args, "--json",
                             env=env).out)
    assert as_json["kind"] == "stream" and as_json["complete"] and as_json["chunks"][-1]["type"] == "usage"
    assert run.out.strip() == as_json["text"].strip() and len(as_json["text"]) > 20
    # The demo sends six text chunks and a usage chunk: short enough to be kept whole.
    assert as_json["chunk_count"] == len(as_json["chunks"]) == 7
    assert as_json["text_truncated"] is False and as_json["text_chars"] == len(as_json["text"])
    saved = Path(as_json["saved_path"])
    assert [json.loads(line) for line in saved.read_text().splitlines()] == as_json["chunks"]


@pytest.mark.parametrize("generation", ["v1", "v2"])
def test_every_demo_driver_through_the_cli(cli, generation):
    demo = ["--demo", "--demo-generation", generation]
    chat_service = ["--service", "ai-chat"] if generation == "v1" else []
    calls = [
        (["puter-kvstore", "set", "--args", '{"key":"a","value":1}'], EXIT_OK),
        (["puter-chat-completion", "complete", *chat_service, "--args", CHAT], EXIT_OK),
        (["puter-chat-completion", "models", *chat_service], EXIT_OK),
        (["puter-tts", "list_voices"], EXIT_OK),
        (["puter-tts", "synthesize", "--args", '{"text":"x"}'], EXIT_OK),
        (["puter-image-generation", "generate", "--service", "ai-image", "--args", '{"prompt":"p"}'], EXIT_OK),
        (["puter-ocr", "recognize", "--test-mode", "--args", '{"source":"data:image/png;base64,AA=="}'], EXIT_OK),
        (["puter-apps", "select", "--service", "es:app", "--args", '{"predicate":["user-can-edit"]}'], EXIT_OK),
        (["puter-notifications", "select", "--service", "es:notification", "--args", '{"predicate":["unseen"]}'],
         EXIT_OK),
        (["puter-kvstore", "set", "--args", '{"value":1}'], EXIT_DRIVER_ERROR),
    ]
    for args, expected in calls:
        run = cli(*demo, "call", *args)
        assert run.code == expected, (args, run.err)


def test_server_text_cannot_drive_the_terminal(cli, against):
    flags, env = against
    hostile = {"key": "esc", "value": "\x1b[2J\x1b]0;pwned\x07 \x9b31m"}
    cli(*flags, "call", "puter-kvstore", "set", "--args", json.dumps(hostile), env=env)
    run = cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"esc"}', env=env)
    assert run.code == EXIT_OK
    assert "\x1b" not in run.out and "\x9b" not in run.out and "\x07" not in run.out
    assert json.loads(run.out) == hostile["value"]  # still the same value, as JSON escapes
    error = cli(*flags, "call", "puter-kvstore", "no\x1b[31mSuch", env=env)
    assert "\x1b" not in error.err and "\\x1b" in error.err


def test_timeout_flag_bounds_the_wait_for_a_silent_server(cli):
    import socket

    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        origin = f"http://127.0.0.1:{silent.getsockname()[1]}"
        run = cli("--origin", origin, "--token", "t", "--timeout", "0.5", "call", "puter-kvstore", "get",
                  "--args", '{"key":"k"}', timeout=20)
    assert run.code == EXIT_FAILURE
    assert "no answer" in run.err and "0.5 s" in run.err
    assert json.loads(cli("history", "--json").out)[0]["error_code"] == "timeout"  # recorded as a failure
