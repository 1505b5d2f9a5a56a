"""Diff two calls (marked vs selected, or a replay vs its original) and export a call as curl, httpx, puter.js."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from explorer.tui.screens.diff import DiffScreen
from explorer.tui.screens.export import ExportScreen

from .conftest import SIZE, palette_offers, ready, settle
from .test_calls import send


def diff_lines(screen: DiffScreen) -> list[tuple[str, str]]:
    """(line, style) of the diff as shown."""
    text = screen.query_one("#diff-body").content
    styles = {}
    for span in text.spans:
        styles.setdefault(text.plain[span.start:span.end].splitlines()[0], str(span.style))
    return [(line, styles.get(line, "")) for line in text.plain.splitlines()]


async def mark_and_diff(app, pilot, screen, old_key: str, new_key: str) -> DiffScreen:
    await pilot.press("f4")
    screen.history.select(old_key)
    await pilot.press("m")
    assert screen.history.marked.key == old_key
    assert "◆" in str(screen.history.option_list.get_option(old_key).prompt)  # the row shows the mark
    screen.history.select(new_key)
    await pilot.press("d")
    await pilot.pause()
    assert isinstance(app.screen, DiffScreen)
    return app.screen


async def test_diff_of_two_get_results_shows_only_the_changed_path(make_app):
    first = {"x": 1, "y": [1, 2], "z": "same"}
    second = {"z": "same", "y": [1, 3], "x": 1}  # other key order: not a change
    expected = [("request: no differences", "bold"), ("answer:", "bold"), ("- $.y[1]: 2", "red"),
                ("+ $.y[1]: 3", "green")]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await send(app, pilot, screen, "puter-kvstore", "set", {"key": "d", "value": first})
        old = await send(app, pilot, screen, "puter-kvstore", "get", {"key": "d"})
        await send(app, pilot, screen, "puter-kvstore", "set", {"key": "d", "value": second})
        new = await send(app, pilot, screen, "puter-kvstore", "get", {"key": "d"})
        diff = await mark_and_diff(app, pilot, screen, old.key, new.key)
        assert diff_lines(diff) == expected
        assert f"#{old.entry_id}" in diff.old_label and f"#{new.entry_id}" in diff.new_label
        ids = old.entry_id, new.entry_id
    # The same entries loaded back from the history store in a new app.
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        diff = await mark_and_diff(app, pilot, screen, f"entry-{ids[0]}", f"entry-{ids[1]}")
        assert diff_lines(diff) == expected


async def test_a_replay_is_diffed_against_its_original_when_nothing_is_marked(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await send(app, pilot, screen, "puter-kvstore", "set", {"key": "r", "value": {"n": 1, "keep": True}})
        original = await send(app, pilot, screen, "puter-kvstore", "get", {"key": "r"})
        await send(app, pilot, screen, "puter-kvstore", "set", {"key": "r", "value": {"keep": True, "n": 2}})
        screen.history.select(original.key)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        replay = screen.history.selected
        assert replay.replay_of == original.entry_id and replay.kind == "result"
        await pilot.press("f4", "d")
        await pilot.pause()
        assert isinstance(app.screen, DiffScreen)
        assert diff_lines(app.screen) == [("request: no differences", "bold"), ("answer:", "bold"),
                                          ("- $.n: 1", "red"), ("+ $.n: 2", "green")]
        assert f"#{original.entry_id}" in app.screen.old_label
        await pilot.press("escape")
        # Without a mark, a call that is not a replay has nothing to diff against.
        screen.history.select(original.key)
        await pilot.press("d")
        await pilot.pause()
        assert app.screen is screen


async def test_export_as_curl_uses_the_token_variable_and_runs(make_app, demo_server):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await send(app, pilot, screen, "puter-kvstore", "set", {"key": "e", "value": {"exported": [1, "two"]}})
        call = await send(app, pilot, screen, "puter-kvstore", "get", {"key": "e"})
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        text = app.screen.query_one("#export-text").text
        assert text == app.screen.text == app.clipboard
        assert text.startswith("curl ") and "$PUTER_AUTH_TOKEN" in text and demo_server.token not in text
        assert demo_server.token not in app.export_screenshot()
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    env = {**os.environ, "PUTER_AUTH_TOKEN": demo_server.token}
    done = subprocess.run(["sh", "-c", text], capture_output=True, text=True, env=env, timeout=30)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"] == call.outcome.value == {"exported": [1, "two"]}


@pytest.mark.parametrize(("command", "expected"), [
    ("export: copy as httpx", 'os.environ["PUTER_AUTH_TOKEN"]'),
    ("export: copy as puter.js", 'puter.kv.get("e")'),
])
async def test_the_palette_exports_the_selected_call(make_app, demo_server, command, expected):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await send(app, pilot, screen, "puter-kvstore", "get", {"key": "e"})
        await pilot.press("ctrl+p", *command)
        await palette_offers(pilot, command)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert expected in app.screen.text and demo_server.token not in app.screen.text
        assert app.clipboard == app.screen.text


async def test_the_new_bindings_are_in_the_help_and_export_can_be_rebound(make_app):
    app = make_app(keymap={"export": "ctrl+t"})
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await send(app, pilot, screen, "puter-kvstore", "get", {"key": "e"})
        await pilot.press("f1")
        keys = str(app.screen.query_one("#help-keys").content)
        assert "Mark the highlighted call" in keys and "Diff the marked call" in keys
        assert "ctrl+t" in keys and "ctrl+o" not in keys
        await pilot.press("escape", "ctrl+o")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
