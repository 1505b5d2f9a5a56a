"""The runner against real demo servers: order, captures, dependencies, repeats, a second origin, reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from explorer.collection.report import Redactor, write_json, write_junit
from explorer.collection.run import RunOptions, load_all, run
from explorer.history import HistoryStore
from explorer.protocol.client import Connection
from explorer.session import Session

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "demo"


def session_on(server, tmp_path, name="history.sqlite3") -> Session:
    return Session(Connection(server.origin, server.token, download_dir=tmp_path / "r"),
                   history=HistoryStore(tmp_path / name))


async def run_folder(session, paths, **options):
    against = options.pop("against", None)
    return await run(load_all(paths), session.call, options=RunOptions(**options),
                     against=against.call if against else None)


async def test_the_examples_pass_on_both_generations_and_every_call_is_in_the_history(
    demo_server, demo_server_v1, tmp_path
):
    for server in (demo_server, demo_server_v1):
        session = session_on(server, tmp_path, f"{server.generation}.sqlite3")
        try:
            results = await run_folder(session, [EXAMPLES])
            entries = session.entries(limit=100)
        finally:
            await session.aclose()
        assert [(r.name, r.status, r.failures) for r in results if r.status != "passed"] == []
        assert sorted(run.entry_id for r in results for run in r.runs) == sorted(e.id for e in entries)


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


async def test_a_capture_feeds_a_later_file_and_a_missing_one_errors_without_sending(demo_server, tmp_path):
    folder = tmp_path / "c"
    write(folder, "1-set.yaml", "interface: puter-kvstore\nmethod: set\nargs: {key: cap, value: {n: 41}}\n")
    write(folder, "2-get.yaml", "interface: puter-kvstore\nmethod: get\nargs: {key: cap}\ncapture: {n: $.n}\n")
    write(folder, "3-use.yaml", "interface: puter-kvstore\nmethod: set\nargs: {key: used, value: '${n}'}\n")
    write(folder, "4-missing.yaml", "interface: puter-kvstore\nmethod: set\nargs: {key: x, value: '${nobody}'}\n")
    write(folder, "5-broken.yaml", "interface: puter-kvstore\nmethod: [\n")
    write(folder, "6-after.yaml", "interface: puter-kvstore\nmethod: get\nargs: {key: used}\n"
                                  "expect: {values: [{path: $, equals: 41}]}\n")
    session = session_on(demo_server, tmp_path)
    try:
        results = await run_folder(session, [folder])
        methods = [e.args for e in reversed(session.entries(limit=20))]
    finally:
        await session.aclose()
    assert [r.status for r in results] == ["passed", "passed", "passed", "errored", "errored", "passed"]
    assert "${nobody} is not captured" in results[3].problem
    assert results[4].line == 3 and "not valid YAML" in results[4].problem  # found at the end of the file
    assert {"key": "x", "value": "${nobody}"} not in methods and len(methods) == 4  # nothing sent for 4 and 5


async def test_a_file_depending_on_one_that_failed_is_skipped(demo_server, tmp_path):
    folder = tmp_path / "c"
    write(folder, "1-fails.yaml", "interface: puter-kvstore\nmethod: get\nargs: {key: none}\n"
                                  "expect: {values: [{path: $, equals: 1}]}\n")
    write(folder, "2-needs.yaml", "interface: puter-kvstore\nmethod: get\nargs: {key: none}\ndepends_on: [1-fails]\n")
    write(folder, "3-unknown.yaml", "interface: puter-kvstore\nmethod: get\nargs: {key: none}\ndepends_on: [9-later]\n")
    session = session_on(demo_server, tmp_path)
    try:
        results = await run_folder(session, [folder])
    finally:
        await session.aclose()
    assert [r.status for r in results] == ["failed", "skipped", "errored"]
    assert results[0].failures == ["$: expected 1, got null"]
    assert "which did not pass" in results[1].problem and "no such file" in results[2].problem


async def test_repeats_report_latency_percentiles_and_each_call_is_recorded(demo_server, tmp_path):
    session = session_on(demo_server, tmp_path)
    try:
        [result] = await run_folder(session, [EXAMPLES / "20-notifications-select.yaml"], repeat=12, concurrency=4)
        recorded = session.history.count()
    finally:
        await session.aclose()
    latency = result.latency()
    assert len(result.runs) == 12 == recorded and result.status == "passed"
    assert 0 < latency["p50"] <= latency["p95"] <= latency["max"]


async def test_against_reports_where_the_two_generations_answer_differently(demo_server, demo_server_v1, tmp_path):
    here, there = session_on(demo_server, tmp_path), session_on(demo_server_v1, tmp_path, "other.sqlite3")
    files = [EXAMPLES / "10-apps-create.yaml", EXAMPLES / "01-kv-set.yaml"]
    try:
        results = await run_folder(here, files, against=there)
    finally:
        await here.aclose()
        await there.aclose()
    by_name = {r.name: r for r in results}
    assert by_name["kv set a key"].differences == [] and by_name["kv set a key"].status == "passed"
    created = by_name["apps create"]
    assert created.status == "failed" and created.differences  # v1 and v2 describe an app differently
    assert not any(d.startswith(("$.uid", "$.created_at")) for d in created.differences)  # volatile


async def test_reports_are_valid_junit_and_json_and_never_hold_the_token(demo_server, tmp_path):
    folder = tmp_path / "c"
    write(folder, "1-echo.yaml", "interface: puter-kvstore\nmethod: set\nargs: {key: k, value: 1}\n"
                                 "expect: {values: [{path: $, equals: false}]}\n")
    session = session_on(demo_server, tmp_path)
    try:
        results = await run_folder(session, [folder])
    finally:
        await session.aclose()
    redact = Redactor([demo_server.token])
    write_junit(tmp_path / "out.xml", results, 1.0, redact, "c")
    write_json(tmp_path / "out.json", results, 1.0, redact)
    suite = ElementTree.parse(tmp_path / "out.xml").getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("1", "1")
    failure = suite.find("testcase/failure")
    assert failure.get("message") == "$: expected false, got true" and '"answer": true' in failure.text
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["summary"]["failed"] == 1 and data["files"][0]["failures"] == ["$: expected false, got true"]
    for name in ("out.xml", "out.json"):
        assert demo_server.token not in (tmp_path / name).read_text()
