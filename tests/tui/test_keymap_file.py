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


def test_an_unknown_or_empty_binding_is_named_with_the_file_and_its_line(tmp_path):
    path = tmp_path / "keymap.json"
    path.write_text('{\n  "send": "f5",\n  "teleport": "f9"\n}\n')
    keymap, problem = read_user_keymap(path)
    assert keymap == {} and problem.startswith(f"{path}, line 3: unknown binding id 'teleport'")
    path.write_text('{\n  "send": "f5",\n  "replay": "  "\n}\n')
    assert read_user_keymap(path)[1].startswith(f"{path}, line 3: binding 'replay' needs a key string")
    toml = tmp_path / "keymap.toml"
    toml.write_text('# my keys\n[keymap]\nfocus-view = "f7"\nview = "f8"\n')  # "view" ends a known id
    keymap, problem = read_user_keymap(toml)
    assert keymap == {} and problem.startswith(f"{toml}, line 4: unknown binding id 'view'")
    assert problem.count(str(toml)) == 1 and problem.endswith("; the default keys are used")
    toml.write_text('[keymap]\nsend = "f5"\n"tele port" = "f9"\n')  # a quoted key
    assert read_user_keymap(toml)[1].startswith(f"{toml}, line 3: unknown binding id 'tele port'")
    toml.write_text('[keymap]\n# teleport = "f8"  (tried once)\nsend = "f5"\nteleport = "f9"\n')
    assert read_user_keymap(toml)[1].startswith(f"{toml}, line 4: unknown binding id 'teleport'")  # not the comment


def test_a_syntax_error_names_the_file_once(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('[keymap]\nsend = \n')
    keymap, problem = read_user_keymap(path)
    assert keymap == {} and problem.startswith(f"{path}: ") and problem.count(str(path)) == 1
    assert "line 2" in problem


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
