"""Collections in the TUI: a folder's call files run one or all, each marked, and a call saved as a file."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input, OptionList

from explorer.collection.files import load
from explorer.tui.screens.collections import CollectionScreen
from explorer.tui.screens.save_call import SaveCallScreen
from explorer.tui.widgets.catalog_tree import MethodRef

from .conftest import SIZE, ready, settle, wait_until

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "demo"


async def open_folder(app, pilot, folder: Path) -> CollectionScreen:
    await pilot.press("f6")
    await wait_until(pilot, lambda: isinstance(app.screen, CollectionScreen), what="the collections screen")
    screen = app.screen
    field = screen.query_one("#collection-folder", Input)
    field.value = str(folder)
    field.focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen.folder == str(folder) and screen.items, what="the files listed")
    return screen


def rows(screen: CollectionScreen) -> list[str]:
    listing = screen.query_one("#collection-files", OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_running_the_examples_marks_every_file_passed_and_records_each_call(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        screen = await open_folder(app, pilot, EXAMPLES)
        assert all(row.startswith("· ") for row in rows(screen))
        await pilot.press("a")
        await wait_until(pilot, lambda: len(screen.results) == len(screen.items), timeout=60, what="every file run")
        assert all(row.startswith("✓ ") for row in rows(screen)), rows(screen)
        assert "17 passed, 0 failed" in str(screen.query_one("#collection-status").render())
        recorded = app.session.history.count()
        assert recorded == sum(len(r.runs) for r in screen.results.values()) == 17


async def test_a_failing_and_a_broken_file_say_why_and_enter_opens_a_call_in_the_editor(make_app, tmp_path):
    folder = tmp_path / "calls"
    folder.mkdir()
    (folder / "1-fails.yaml").write_text("interface: puter-kvstore\nmethod: get\nargs: {key: none}\n"
                                         "expect: {values: [{path: $, equals: 1}]}\n")
    (folder / "2-broken.yaml").write_text("interface: puter-kvstore\nmethod: get\nexpect: {kind: nope}\n")
    (folder / "3-set.yaml").write_text("interface: puter-kvstore\nmethod: set\nargs: {key: tui, value: 5}\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(app, pilot)
        screen = await open_folder(app, pilot, folder)
        await pilot.press("a")
        await wait_until(pilot, lambda: len(screen.results) == 3, timeout=30, what="the three files run")
        assert [row[0] for row in rows(screen)] == ["✗", "!", "✓"]
        listing = screen.query_one("#collection-files", OptionList)
        listing.highlighted = 0
        await pilot.pause()
        assert "$: expected 1, got null" in str(screen.query_one("#collection-detail").render())
        listing.highlighted = 2
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is main, what="back on the main screen")
        assert (main.editor.interface, main.editor.method) == ("puter-kvstore", "set")
        assert json.loads(main.editor.text_area.text) == {"key": "tui", "value": 5}


async def test_ctrl_s_saves_the_editors_call_as_a_file_that_loads_back(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(app, pilot)
        main.open_method(MethodRef("puter-kvstore", "set", None))
        main.editor.text_area.load_text(json.dumps({"key": "saved", "value": [1, 2]}))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, SaveCallScreen), what="the save dialog")
        target = tmp_path / "calls" / "01-set.yaml"
        field = app.screen.query_one("#save-call-path", Input)
        field.value = str(target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is main, what="the dialog closed")
        await settle(app, pilot)
    call = load(target)
    assert (call.interface, call.method, call.args, call.expect) == (
        "puter-kvstore", "set", {"key": "saved", "value": [1, 2]}, {"kind": "result"})


def test_snapshot_of_a_collection_after_a_run(snap_compare, make_app, tmp_path, monkeypatch, steady_durations):
    monkeypatch.chdir(tmp_path)  # the folder is shown as typed: relative, the same on every run
    folder = Path("calls")
    folder.mkdir()
    (folder / "1-set.yaml").write_text("name: kv set\ninterface: puter-kvstore\nmethod: set\nargs: {key: s, value: 1}\n")
    (folder / "2-get.yaml").write_text("name: kv get expects 2\ninterface: puter-kvstore\nmethod: get\n"
                                       "args: {key: s}\nexpect: {values: [{path: $, equals: 2}]}\n")
    (folder / "3-broken.yaml").write_text("interface: puter-kvstore\nmethod: [\n")

    async def run_before(pilot) -> None:
        app = pilot.app
        await ready(app, pilot)
        screen = await open_folder(app, pilot, folder)
        await pilot.press("a")
        await wait_until(pilot, lambda: len(screen.results) == 3, timeout=30, what="the files run")
        screen.query_one("#collection-files", OptionList).highlighted = 1
        await settle(app, pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
