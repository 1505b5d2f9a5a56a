"""`run`, `save` and `import` as a user types them: exit codes, reports, and nothing secret written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "demo"


@pytest.fixture
def cli(tmp_path):
    home = tmp_path / "home"

    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("PUTER_")}
        full_env.update({"PUTER_EXPLORER_HOME": str(home), **(env or {})})
        return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True,
                              env=full_env, timeout=120, input=input)

    return run


def junit_cases(path: Path) -> list[tuple[str, str | None]]:
    """(testcase name, what it ended in: failure/error/skipped or None) for each testcase."""
    suite = ElementTree.parse(path).getroot().find("testsuite")
    return [(case.get("name"), next((child.tag for child in case), None)) for case in suite.findall("testcase")]


def test_the_examples_pass_on_the_demo_server_with_a_valid_junit_file(cli, tmp_path):
    done = cli("run", str(EXAMPLES), "--demo", "--junit", str(tmp_path / "out.xml"), "--json", str(tmp_path / "out.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    cases = junit_cases(tmp_path / "out.xml")
    assert len(cases) == len(list(EXAMPLES.glob("*.yaml"))) and all(end is None for _, end in cases)
    assert "17 passed, 0 failed, 0 errored, 0 skipped" in done.stdout.splitlines()[-1]
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["passed"] == len(cases)


def test_a_server_that_answers_differently_fails_with_the_reasons_in_junit(cli, tmp_path, make_demo_server):
    refusing = make_demo_server(forbidden_drivers=["puter-kvstore"])
    done = cli("run", str(EXAMPLES), "--origin", refusing.origin, "--junit", str(tmp_path / "out.xml"),
               env={"PUTER_AUTH_TOKEN": refusing.token})
    assert done.returncode == 1
    cases = dict(junit_cases(tmp_path / "out.xml"))
    assert cases["kv set a key"] == "failure" and cases["kv get it back"] == "skipped" and cases["apps create"] is None
    failure = ElementTree.parse(tmp_path / "out.xml").getroot().find("testsuite/testcase/failure")
    assert failure.get("message").startswith("expected a result, got a driver error")
    assert refusing.token not in (tmp_path / "out.xml").read_text()


def test_against_the_other_generation_reports_differences_and_exits_1(cli):
    done = cli("run", str(EXAMPLES / "41-image.yaml"), str(EXAMPLES / "01-kv-set.yaml"), "--demo", "--against", "demo:v1")
    assert done.returncode == 1
    assert "differs from the other origin at 1 place(s): kind: result vs binary" in done.stdout
    assert "PASSED  kv set a key" in done.stdout


def test_a_file_that_does_not_parse_exits_2_and_the_others_still_run(cli, tmp_path, demo_server):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "1-bad.yaml").write_text("interface: puter-kvstore\nmethod: get\nexpect: {kind: nope}\n")
    (folder / "2-good.yaml").write_text("interface: puter-kvstore\nmethod: get\nargs: {key: a}\n")
    done = cli("run", str(folder), "--origin", demo_server.origin, env={"PUTER_AUTH_TOKEN": demo_server.token})
    assert done.returncode == 2
    assert f"ERRORED 1-bad: kind is one of" in done.stdout and f"1-bad.yaml:3)" in done.stdout
    assert "PASSED  2-good" in done.stdout


def test_a_server_that_cannot_be_reached_exits_3(cli):
    done = cli("run", str(EXAMPLES / "01-kv-set.yaml"), "--origin", "http://127.0.0.1:9", env={"PUTER_AUTH_TOKEN": "t" * 20})
    assert done.returncode == 3 and "could not connect" in done.stdout


def test_a_saved_history_entry_runs_and_passes(cli, tmp_path, demo_server):
    flags, env = ["--origin", demo_server.origin], {"PUTER_AUTH_TOKEN": demo_server.token}
    assert cli(*flags, "call", "puter-kvstore", "set", "--args", '{"key":"saved","value":[1,2]}', env=env).returncode == 0
    entry_id = json.loads(cli("history", "--json").stdout)[0]["id"]
    saved = cli("save", str(entry_id), str(tmp_path / "c"))
    assert saved.returncode == 0, saved.stderr
    path = Path(saved.stdout.strip())
    assert path.parent == tmp_path / "c" and "equals: true" in path.read_text()
    assert demo_server.token not in path.read_text()
    done = cli(*flags, "run", str(path), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert cli("save", str(entry_id), str(path)).returncode == 2  # never replaced without --force


def test_an_imported_curl_command_leaves_the_token_out_and_runs(cli, tmp_path, demo_server):
    command = ("curl -X POST http://127.0.0.1:4100/drivers/call -H 'Authorization: Bearer abcdefgh12345678' "
               """--data-binary '{"interface":"puter-kvstore","method":"set","args":{"key":"i","value":3}}'""")
    done = cli("import", "curl", "-", "-o", str(tmp_path / "imported.yaml"), input=command)
    assert done.returncode == 0 and "Authorization header was left out" in done.stderr
    assert "abcdefgh12345678" not in (tmp_path / "imported.yaml").read_text()
    run = cli("run", str(tmp_path / "imported.yaml"), "--origin", demo_server.origin,
              env={"PUTER_AUTH_TOKEN": demo_server.token})
    assert run.returncode == 0, run.stdout
