"""History from the CLI: list, search, show, replay, diff, export (and the export really runs), prune, profiles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime

import pytest

from .modes import mode, posix_modes


@pytest.fixture
def made_calls(cli, against):
    flags, env = against
    cli(*flags, "call", "puter-kvstore", "set", "--args", '{"key":"platypus","value":{"legs":4,"a":1}}', env=env)
    cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"platypus"}', env=env)
    cli(*flags, "call", "puter-kvstore", "nope", env=env)
    return flags, env


def diff_head(sign: str, entry: dict) -> str:
    """The line that names the entry a diff's `-` (or `+`) lines come from, from its history record."""
    when = datetime.fromisoformat(entry["created_at"]).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return f"{sign} #{entry['id']} ({entry['interface']}.{entry['method']}, {when})"


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
    original = json.loads(cli("show", str(get_id), "--json").out)
    assert diff.out.strip().splitlines() == [
        diff_head("---", original), diff_head("+++", newest),
        "request: no differences", "answer:", "- $.legs: 4", "+ $.legs: 5"]
    assert diff.code == 1  # they differ, as diff(1) says
    same = cli("diff", str(get_id), str(get_id))
    assert (same.out.strip(), same.code) == ("no differences (request and answer are the same)", 0)


def test_diff_of_two_sets_with_other_args_shows_the_args_and_exits_1(cli, made_calls):
    flags, env = made_calls
    cli(*flags, "call", "puter-kvstore", "set", "--args", '{"key":"platypus","value":{"legs":2}}', env=env)
    first, second = reversed(json.loads(cli("history", "--json", "--method", "set").out))
    diff = cli("diff", str(first["id"]), str(second["id"]))
    assert diff.code == 1
    assert diff.out.strip().splitlines() == [
        diff_head("---", first), diff_head("+++", second),
        "request:", '- $.args.value.a: 1', '- $.args.value.legs: 4', '+ $.args.value.legs: 2', "answer: no differences"]
    # The other way round, the heads and the signs swap together.
    swapped = cli("diff", str(second["id"]), str(first["id"])).out.strip().splitlines()
    assert swapped[:2] == [diff_head("---", second), diff_head("+++", first)]
    assert swapped[3:6] == ['+ $.args.value.a: 1', '- $.args.value.legs: 2', '+ $.args.value.legs: 4']


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


def options_in(help_text: str) -> set[str]:
    """The long options a --help page names (in its usage lines or its option lists)."""
    return {word.strip("[],") for word in help_text.split() if word.lstrip("[").startswith("--")}


def test_history_help_names_prune_whose_own_help_has_only_its_options(cli):
    run = cli("history", "--help")
    assert run.code == 0, run.err
    helped = run.out
    listing = options_in(helped[helped.index("options:"):helped.index("subcommands:")])
    assert {"--limit", "--json", "--search", "--since", "--kind"} <= listing
    assert not listing & {"--older-than", "--keep"}
    subcommands = helped[helped.index("subcommands:"):helped.index("exit codes:")]
    assert any(line.split()[:1] == ["prune"] for line in subcommands.splitlines())
    pruning = cli("history", "prune", "--help")
    assert pruning.code == 0, pruning.err
    assert pruning.out.startswith("usage: puter-explorer history prune")
    assert options_in(pruning.out.split("exit codes:")[0]) == {"--help", "--debug", "--older-than", "--keep"}


def test_history_prune_and_list_each_refuse_the_others_options(cli, made_calls):
    run = cli("history", "--keep", "1")
    assert (run.code, run.err.strip()) == (2, "error: only history prune takes --keep, after the word prune")
    run = cli("history", "list", "--older-than", "1")
    assert (run.code, run.err.strip()) == (2, "error: only history prune takes --older-than, after the word prune")
    run = cli("history", "--search", "platypus", "prune", "--keep", "1")
    assert (run.code, run.err.strip()) == (2, "error: history prune does not take --search")
    run = cli("history", "prune", "--keep", "1", "--search", "platypus")
    assert run.code == 2 and run.err.startswith("usage: puter-explorer history prune")
    assert "unrecognized arguments: --search platypus" in run.err
    assert len(json.loads(cli("history", "--json").out)) == 3  # none of them removed anything
    # `list` is still the default, and may be named.
    assert json.loads(cli("history", "list", "--json", "--method", "get").out)[0]["method"] == "get"
    assert [e["method"] for e in json.loads(cli("history", "--json", "list", "--limit", "1").out)] == ["nope"]


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
    # The environment's token goes in where the environment says it is for: the server the call was made on.
    with_token = cli("export", str(get_id), "--as", "curl", "--with-token",
                     env={"PUTER_AUTH_TOKEN": demo_server.token, "PUTER_API_ORIGIN": demo_server.origin}).out
    assert demo_server.token in with_token
    elsewhere = cli("export", str(get_id), "--as", "curl", "--with-token", env={"PUTER_AUTH_TOKEN": demo_server.token})
    assert elsewhere.code == 2 and demo_server.token not in elsewhere.out + elsewhere.err  # for api.puter.com
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
