"""`config`: where each file is kept, whether it is there, and a profiles or keymap file that cannot be used
named with why (for a profiles file that is not JSON, its line and column)."""

from __future__ import annotations

import json

from explorer.cli import EXIT_OK, EXIT_USAGE


def places(cli) -> dict[str, dict]:
    run = cli("config", "--json")
    return {place["name"]: place for place in json.loads(run.out)["places"]}


def test_config_names_every_place_under_the_home_and_creates_nothing(cli):
    run = cli("config")
    assert run.code == EXIT_OK and run.err == ""
    home = cli.home
    expected = {
        "profiles": home / "config" / "profiles.json",
        "keymap": home / "config" / "keymap.json",
        "history": home / "data" / "history.sqlite3",
        "responses": home / "data" / "responses",
        "error log": home / "state" / "errors.log",
    }
    for name, path in expected.items():
        assert any(line.startswith(name) and str(path) in line for line in run.out.splitlines()), (name, run.out)
    found = places(cli)
    assert {name: place["path"] for name, place in found.items()} == {n: str(p) for n, p in expected.items()}
    assert all(place["problem"] is None for place in found.values())
    assert json.loads(cli("config", "--json").out)["home"] == str(home)
    assert not home.exists()  # nothing was made just to say where it would be


def test_config_says_what_is_there(cli, against):
    flags, env = against
    assert cli(*flags, "call", "puter-kvstore", "get", "--args", '{"key":"k"}', env=env).code == EXIT_OK
    assert cli("profiles", "add", "work", "--set-origin", "http://127.0.0.1:9", "--token-stdin",
               input="tok-config-12345678\n").code == EXIT_OK
    (cli.home / "config" / "keymap.json").write_text('{"send": "f9"}', encoding="utf-8")
    found = places(cli)
    assert found["profiles"]["state"] == "1 profile, current: work"
    assert found["keymap"]["state"] == "1 binding rebound"
    assert found["history"]["state"].endswith(" bytes") and found["error log"]["state"] == "not there yet"
    assert "tok-config-12345678" not in cli("config").out


def test_a_profiles_file_that_does_not_parse_is_named_with_its_line_and_column(cli):
    config = cli.home / "config"
    config.mkdir(parents=True)
    path = config / "profiles.json"
    path.write_text('{\n  "current": "work",\n  "profiles": {,}\n}\n', encoding="utf-8")
    run = cli("config")
    assert run.code == EXIT_USAGE
    assert f"{path}  (cannot be read)" in run.out  # the other places are still listed
    assert "error log" in run.out
    [line] = run.err.splitlines()
    assert line.startswith(f"error: {path} is not a profiles file this program can read: invalid JSON at line 3, "
                           "column 16")
    # The other commands say the same.
    assert cli("profiles").err == run.err


def test_a_keymap_that_cannot_be_used_is_named_with_why(cli):
    config = cli.home / "config"
    config.mkdir(parents=True)
    path = config / "keymap.json"
    path.write_text('{\n  "send": "f5",\n  "teleport": "f9"\n}\n', encoding="utf-8")
    run = cli("config")
    assert run.code == EXIT_USAGE
    assert run.err.startswith(f"error: {path}, line 3: unknown binding id 'teleport'")
    assert places(cli)["keymap"]["problem"].startswith(f"{path}, line 3: unknown binding id 'teleport'")


def test_a_keymap_that_does_not_parse_is_named_once(cli):
    config = cli.home / "config"
    config.mkdir(parents=True)
    path = config / "keymap.json"
    path.write_text('{\n  "send": }\n', encoding="utf-8")
    run = cli("config")
    assert run.code == EXIT_USAGE
    [line] = run.err.splitlines()
    assert line.startswith(f"error: {path}: Expecting value: line 2") and line.count(str(path)) == 1
