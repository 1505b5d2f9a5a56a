"""Bad usage is exit 2 and sends nothing: help, missing or invalid arguments, an unknown entry, profile or
origin, a --since that is not a time, and files the command cannot read as its own."""

from __future__ import annotations

import json

import pytest

from explorer.cli import EXIT_OK, EXIT_USAGE

SUBCOMMANDS = ("call", "replay", "interfaces", "history", "show", "diff", "export", "profiles", "login",
               "demo-server", "config")


def files_under(cli) -> list[str]:
    return sorted(str(p.relative_to(cli.home)) for p in cli.home.rglob("*")) if cli.home.exists() else []


@pytest.mark.parametrize("command", [(), *((name,) for name in SUBCOMMANDS)])
def test_help_answers_without_writing_anything(cli, command):
    run = cli(*command, "--help")
    assert run.code == EXIT_OK, run.err
    assert run.out.startswith("usage: puter-explorer") and run.err == ""
    assert files_under(cli) == []  # no config, history or error log made just to print help


def test_missing_arguments_are_usage_errors_that_write_nothing(cli):
    run = cli("call", "puter-kvstore")
    assert run.code == EXIT_USAGE
    assert "the following arguments are required: method" in run.err and run.out == ""
    assert files_under(cli) == []


def recorded(cli) -> list[dict]:
    listed = cli("history", "--json")
    assert listed.code == EXIT_OK, listed.err
    return json.loads(listed.out)


@pytest.fixture
def one_recorded_call(cli, against):
    """The history holds one call (a kvstore get), so that a usage error can be seen to add none."""
    flags, env = against
    run = cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"usage-before"}', env=env)
    assert run.code == EXIT_OK, run.err
    [entry] = recorded(cli)
    return flags, env, entry


@pytest.mark.parametrize("bad, message", [
    (["--profile", "nobody"], "error: no profile named 'nobody'"),
    (["--timeout", "-1"], "must be a positive number of seconds"),
    (["--timeout", "soon"], "not a number of seconds"),
])
def test_a_call_with_bad_options_sends_nothing(cli, one_recorded_call, bad, message):
    flags, env, before = one_recorded_call
    key = f"usage-{bad[0]}-{bad[1]}"
    run = cli(*flags, *bad, "call", "puter-kvstore", "set", "--args", json.dumps({"key": key, "value": 1}), env=env)
    assert run.code == EXIT_USAGE, run.err
    assert message in run.err and run.out == "" and "Traceback" not in run.err
    assert recorded(cli) == [before]
    got = cli(*flags, "call", "puter-kvstore", "get", "--args", json.dumps({"key": key}), "--no-history", env=env)
    assert got.code == EXIT_OK and json.loads(got.out) is None  # the server never got the set


def test_an_origin_that_is_not_http_is_a_usage_error(cli):
    for flags, env in ((["--origin", "ftp://files.example"], {}), ([], {"PUTER_API_ORIGIN": "ftp://files.example"})):
        run = cli(*flags, "call", "puter-kvstore", "get", env={"PUTER_AUTH_TOKEN": "tok-usage-0001", **env})
        assert run.code == EXIT_USAGE, run.err
        assert run.err.strip() == "error: not an http(s) origin: 'ftp://files.example'"
    assert not (cli.home / "data" / "history.sqlite3").exists()


def test_args_that_cannot_be_read_send_nothing(cli, one_recorded_call, tmp_path):
    flags, env, before = one_recorded_call
    missing = tmp_path / "missing.json"
    run = cli(*flags, "call", "puter-kvstore", "set", "--args", f"@{missing}", env=env)
    assert run.code == EXIT_USAGE and f"cannot read args file {missing}" in run.err
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"key": "caf\xe9", "value": 1}'.encode("latin-1"))
    run = cli(*flags, "call", "puter-kvstore", "set", "--args", f"@{latin1}", env=env)
    assert run.code == EXIT_USAGE and "cannot be decoded as text" in run.err and "nothing was sent" in run.err
    assert recorded(cli) == [before]


def test_replaying_an_entry_that_does_not_exist_sends_nothing(cli, one_recorded_call):
    flags, env, before = one_recorded_call
    run = cli(*flags, "replay", "999", env=env)
    assert run.code == EXIT_USAGE
    assert run.err.strip() == "error: no history entry 999" and run.out == ""
    assert recorded(cli) == [before]


def test_replace_args_without_args_is_a_usage_error_that_sends_nothing(cli, one_recorded_call):
    flags, env, before = one_recorded_call
    run = cli(*flags, "replay", str(before["id"]), "--replace-args", env=env)
    assert run.code == EXIT_USAGE and run.out == ""
    assert run.err.startswith("usage: puter-explorer replay")
    assert "error: --replace-args needs --args" in run.err
    assert recorded(cli) == [before]
    # With --args it is a replay like any other.
    run = cli(*flags, "replay", str(before["id"]), "--replace-args", "--args", '{"key":"usage-after"}', env=env)
    assert run.code == EXIT_OK, run.err
    assert [entry["args"] for entry in recorded(cli)] == [{"key": "usage-after"}, before["args"]]


@pytest.mark.parametrize("command, message", [
    (["show", "999"], "error: no history entry 999"),
    (["diff", "1", "999"], "error: no history entry 999"),
    (["export", "999"], "error: no history entry 999"),
    (["history", "--since", "yesterday"], "error: not a date/time or duration: 'yesterday'"),
    (["history", "--until", "99999999999999w"], "error: too long ago: '99999999999999w'"),
    (["history", "prune"], "error: history prune needs --older-than DAYS or --keep N"),
    (["export", "1", "--with-token", "--profile", "nobody"], "error: no profile named 'nobody'"),
])
def test_history_commands_with_bad_input(cli, one_recorded_call, command, message):
    run = cli(*command)
    assert run.code == EXIT_USAGE, run.err
    assert run.err.strip() == message and run.out == ""
    assert len(recorded(cli)) == 1  # prune removed nothing


def test_history_commands_before_any_call(cli):
    for command in (["history"], ["show", "1"], ["export", "1"]):
        run = cli(*command)
        assert run.code == EXIT_USAGE
        assert run.err.strip() == "error: there is no history yet"


def test_profiles_that_do_not_exist(cli):
    for action in ("use", "remove"):
        run = cli("profiles", action, "nobody")
        assert run.code == EXIT_USAGE and run.err.strip() == "error: no profile named 'nobody'"
    run = cli("profiles", "use")
    assert run.code == EXIT_USAGE and run.err.strip() == "error: profiles use needs a NAME"


def test_a_login_with_a_bad_origin_asks_for_no_password(cli):
    run = cli("login", "--gui-origin", "ftp://puter.example", "--username", "demo", input="demo\n")
    assert run.code == EXIT_USAGE
    assert run.err.strip() == "error: --gui-origin: not an http(s) origin: 'ftp://puter.example'"
    assert not (cli.home / "config" / "profiles.json").exists()


def test_an_unreadable_profiles_file_is_bad_input_not_a_crash(cli):
    config = cli.home / "config"
    config.mkdir(parents=True)
    (config / "profiles.json").write_text("{not json", encoding="utf-8")
    for command in (["profiles"], ["call", "puter-kvstore", "get"],
                    ["login", "--gui-origin", "http://127.0.0.1:9", "--username", "demo"]):
        run = cli(*command, input="demo\n")
        assert run.code == EXIT_USAGE, (command, run.err)
        assert run.err.startswith("error: ") and "profiles file" in run.err and "Traceback" not in run.err


def test_a_history_file_that_is_not_ours_is_bad_input_not_a_crash(cli):
    data = cli.home / "data"
    data.mkdir(parents=True)
    (data / "history.sqlite3").write_text("my notes, not a database\n", encoding="utf-8")
    run = cli("history")
    assert run.code == EXIT_USAGE
    assert run.err.startswith("error: ") and "not a SQLite database" in run.err and "Traceback" not in run.err
    assert (data / "history.sqlite3").read_text(encoding="utf-8") == "my notes, not a database\n"
