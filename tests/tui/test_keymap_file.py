"""A keymap file that cannot be used is named with its line; the app starts with the default keys and says so."""

from __future__ import annotations

from explorer.tui.app import ExplorerApp
from explorer.tui.keymap import read_user_keymap

from .conftest import SIZE, ready


def test_a_syntax_error_names_the_file_and_its_line(tmp_path):
    path = tmp_path / "keymap.json"
    path.write_text('{\n  "send": "f5",\n  "replay" "ctrl+r"\n}\n')
    keymap, problem = read_user_keymap(path)
    assert keymap == {} and str(path) in problem and "line 3" in problem and "default keys" in problem
    path.write_text('{"send": "f5,ctrl+g"}')
    assert read_user_keymap(path) == ({"send": "f5,ctrl+g"}, None)
    assert read_user_keymap(tmp_path / "absent.json") == ({}, None)


async def test_the_app_starts_with_the_default_keys_and_a_warning(make_session, tmp_path):
    path = tmp_path / "keymap.json"
    path.write_text('{"send": }')
    keymap, problem = read_user_keymap(path)
    app = ExplorerApp(session_factory=lambda: make_session(), keymap=keymap, keymap_problem=problem)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        notes = [n.message for n in app._notifications]
        assert any(str(path) in note and "default keys" in note for note in notes)
        assert "f5" in app.screen.active_bindings  # the default keys are in force
