"""History from the CLI: list, search, show, replay, diff, export (and the export really runs), prune, profiles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from .modes import mode, posix_modes


@pytest.fixture
def made_calls(cli, against):
    flags, env = against
    cli(*flags, "call", "puter-kvstore", "set", "--args", '{"key":"platypus","value":{"legs":4,"a":1}}', env=env)
    cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"platypus"}', env=env)
    cli(*flags, "call", "puter-kvstore", "nope", env=env)
    return flags, env


def test_history_lists_newest_first_and_filters(cli, made_calls):
    entries = json.loads(cli("history", "--json").out)
    assert [e["method"] for e in entries] == ["nope", "get", "set"]
    assert [e["kind"] for e in entries] == ["driver_error", "result", "result"]
    found = json.loads(cli("history", "--json", "--search", "platypus").out)
    assert {e["method"] for e in found} == {"get", "set"}
    errors = json.loads(cli("history", "--json", "--kind", "driver_error").out)
    assert [e["error_code"] for e in errors] == ["not_found"]
    assert json.loads(cli("history", "--json", "--since", "1h", "--method", "get").out)[0]["method"] == "get"
    assert json.loads(cli("history", "--json", "--until", "2000-01-01").out) == []
    assert "puter-kvstore.get" in cli("history").out


def test_no_history_flag_records_nothing(cli, against):
    flags, env = against
    recorded = cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"recorded"}', env=env)
    assert recorded.code == 0 and "history entry 1" in recorded.err
    run = cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"x"}', "--no-history", env=env)
    assert run.code == 0 and json.loads(run.out) is None and "history entry" not in run.err
    listed = cli("history", "--json")
    assert listed.code == 0, listed.err
    assert [e["args"] for e in json.loads(listed.out)] == [{"key": "recorded"}]


def test_replay_makes_a_new_entry_and_diff_compares_results(cli, made_calls):
    flags, env = made_calls
    get_id = json.loads(cli("history", "--json", "--method", "get").out)[0]["id"]
    cli(*flags, "call", "puter-kvstore", "set", "--args", '{"key":"platypus","value":{"a":1,"legs":5}}', env=env)
    run = cli(*flags, "replay", str(get_id), env=env)
    assert run.code == 0 and json.loads(run.out) == {"a": 1, "legs": 5}
    newest = json.loads(cli("history", "--json", "--limit", "1").out)[0]
    assert newest["replay_of"] == get_id and newest["id"] != get_id
    shown = json.loads(cli("show", str(get_id)).out)
    assert shown["result"] == {"legs": 4, "a": 1} and shown["replay_of"] is None  # the original is unchanged
    diff = cli("diff", str(get_id), str(newest["id"]))
    assert diff.out.strip().splitlines() == ["request: no differences", "answer:", "- $.legs: 4", "+ $.legs: 5"]
    assert diff.code == 1  # they differ, as diff(1) says
    same = cli("diff", str(get_id), str(get_id))
    assert (same.out.strip(), same.code) == ("no differences (request and answer are the same)", 0)


def test_diff_of_two_sets_with_other_args_shows_the_args_and_exits_1(cli, made_calls):
    flags, env = made_calls
    cli(*flags, "call", "puter-kvstore", "set", "--args", '{"key":"platypus","value":{"legs":2}}', env=env)
    first, second = (e["id"] for e in reversed(json.loads(cli("history", "--json", "--method", "set").out)))
    diff = cli("diff", str(first), str(second))
    assert diff.code == 1
    assert diff.out.strip().splitlines() == [
        "request:", '- $.args.value.a: 1', '- $.args.value.legs: 4', '+ $.args.value.legs: 2', "answer: no differences"]


def test_replay_args_merge_over_the_recorded_ones_unless_replaced(cli, made_calls):
    flags, env = made_calls
    set_id = json.loads(cli("history", "--json", "--method", "set").out)[0]["id"]
    merged = cli(*flags, "replay", str(set_id), "--args", '{"value":"merged"}', env=env)
    assert merged.code == 0, merged.err
    newest = json.loads(cli("history", "--json", "--limit", "1").out)[0]
    assert json.loads(cli("show", str(newest["id"]), "--json").out)["args"] == {"key": "platypus", "value": "merged"}
    replaced = cli(*flags, "replay", str(set_id), "--args", '{"value":"alone"}', "--replace-args", env=env)
    assert replaced.code == 1 and "Missing `key`" in replaced.err  # a set without its key is refused
    newest = json.loads(cli("history", "--json", "--limit", "1").out)[0]
    assert newest["replay_of"] == set_id and newest["args"] == {"value": "alone"}


def test_diff_json_gives_each_section_as_data(cli, made_calls):
    flags, env = made_calls
    cli(*flags, "call", "puter-kvstore", "set", "--args", '{"key":"platypus","value":{"legs":2,"a":1}}', env=env)
    first, second = (e["id"] for e in reversed(json.loads(cli("history", "--json", "--method", "set").out)))
    diff = cli("diff", str(first), str(second), "--json")
    assert diff.code == 1
    assert json.loads(diff.out) == {
        "request": [{"path": "$.args.value.legs", "change": "changed", "old": 4, "new": 2}], "answer": []}
    same = cli("diff", str(first), str(first), "--json")
    assert same.code == 0 and json.loads(same.out) == {"request": [], "answer": []}


def test_a_search_that_finds_nothing_says_so(cli, made_calls):
    for flags in ([], ["--json"]):
        run = cli("history", "--search", "no-such-word", *flags)
        assert run.code == 0 and run.err.strip() == "no entries match"
    assert json.loads(cli("history", "--search", "no-such-word", "--json").out) == []
    assert cli("history", "--search", "platypus").err == ""


def test_history_help_keeps_prune_options_apart_and_each_action_refuses_the_others(cli, made_calls):
    helped = cli("history", "--help").out
    assert "puter-explorer history prune [--older-than DAYS] [--keep N]" in helped
    options = helped[helped.index("history [list]:"):helped.index("exit codes:")]
    listing, pruning = options.split("history prune (one or both):")
    assert "--search" in listing and "--limit" in listing and "--keep" not in listing and "--older-than" not in listing
    assert "--keep N" in pruning and "--older-than DAYS" in pruning and "--search" not in pruning
    run = cli("history", "--keep", "1")
    assert (run.code, run.err.strip()) == (2, "error: only history prune takes --keep")
    run = cli("history", "prune", "--keep", "1", "--search", "platypus")
    assert (run.code, run.err.strip()) == (2, "error: history prune does not take --search")
    assert len(json.loads(cli("history", "--json").out)) == 3  # neither removed anything


def test_replay_with_new_args(cli, made_calls):
    flags, env = made_calls
    get_id = json.loads(cli("history", "--json", "--method", "get").out)[0]["id"]
    run = cli(*flags, "replay", str(get_id), "--args", '{"key":"absent-key"}', env=env)
    assert run.code == 0 and json.loads(run.out) is None


def test_export_hides_the_token_unless_asked_and_the_httpx_snippet_runs_to_the_same_result(cli, made_calls,
                                                                                            demo_server):
    get_id = json.loads(cli("history", "--json", "--method", "get").out)[0]["id"]
    command = cli("export", str(get_id), "--as", "curl").out
    assert "$PUTER_AUTH_TOKEN" in command and demo_server.token not in command
    with_token = cli("export", str(get_id), "--as", "curl", "--with-token",
                     env={"PUTER_AUTH_TOKEN": demo_server.token}).out
    assert demo_server.token in with_token
    original = json.loads(cli("show", str(get_id)).out)["result"]
    snippet = cli("export", str(get_id), "--as", "httpx").out
    assert demo_server.token not in snippet
    done = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "PUTER_AUTH_TOKEN": demo_server.token})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.split("\n", 1)[1])["result"] == original
    puterjs = cli("export", str(get_id), "--as", "puterjs").out
    assert 'await puter.kv.get("platypus");' in puterjs
    generic = cli("export", str(get_id), "--as", "puterjs-drivers").out
    assert 'puter.drivers.call("puter-kvstore"' in generic and '"key": "platypus"' in generic


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("sh") is None,
                    reason="runs the exported command with curl in a POSIX shell")
def test_exported_curl_command_runs_to_the_same_result(cli, made_calls, demo_server):
    get_id = json.loads(cli("history", "--json", "--method", "get").out)[0]["id"]
    command = cli("export", str(get_id), "--as", "curl").out
    original = json.loads(cli("show", str(get_id)).out)["result"]
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "PUTER_AUTH_TOKEN": demo_server.token})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"] == original


def test_prune_keeps_the_newest(cli, made_calls):
    assert "removed 2 entries" in cli("history", "prune", "--keep", "1").err
    assert [e["method"] for e in json.loads(cli("history", "--json").out)] == ["nope"]
    assert cli("history", "prune").code == 2


def test_profiles_store_the_token_and_show_it_masked(cli, demo_server):
    token = demo_server.token
    run = cli("profiles", "add", "local", "--set-origin", demo_server.origin, "--token-stdin", input=token + "\n")
    assert run.code == 0 and token not in run.err + run.out
    listing = cli("profiles").out
    assert "local" in listing and demo_server.origin in listing and token not in listing
    assert "••••" + token[-4:] in listing
    # The current profile is used without --origin/--token.
    run = cli("call", "puter-kvstore", "set", "--args", '{"key":"p","value":1}')
    assert run.code == 0, run.err


@posix_modes
def test_the_profiles_file_is_private(cli, demo_server):
    run = cli("profiles", "add", "local", "--set-origin", demo_server.origin, "--token-stdin",
              input=demo_server.token + "\n")
    assert run.code == 0, run.err
    profiles = cli.home / "config" / "profiles.json"
    assert mode(profiles) == 0o600 and mode(profiles.parent) == 0o700


def test_token_never_lands_in_data_or_config_files_except_profiles(cli, made_calls, demo_server):
    flags, env = made_calls
    cli(*flags, "call", "puter-tts", "synthesize", "--args", '{"text":"x"}', env=env)
    cli(*flags, "call", "puter-chat-completion", "complete", "--args",
        '{"model":"fake","stream":true,"messages":[{"role":"user","content":"x"}]}', env=env)
    get_id = json.loads(cli("history", "--json", "--method", "get").out)[0]["id"]
    cli(*flags, "replay", str(get_id), env=env)
    cli("export", str(get_id), "--as", "curl")
    token = demo_server.token.encode()
    checked = 0
    for path in cli.home.rglob("*"):
        if path.is_file():
            checked += 1
            assert token not in path.read_bytes(), path
    assert checked >= 2 and (cli.home / "data" / "history.sqlite3").exists()
