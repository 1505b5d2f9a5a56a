"""The profiles store and an unreadable profiles file: refused by default; read as no profiles, and never
saved over, only where a caller has said it goes on without it."""

from __future__ import annotations

import json

import pytest

from explorer.config import ConfigError, Profile, ProfilesUnreadable, ProfileStore, resolve_target


def test_an_unreadable_profiles_file_is_refused_unless_the_caller_goes_on_without_it(tmp_path, monkeypatch):
    path = tmp_path / "profiles.json"
    path.write_text('{"profiles": {},\n}\n')
    with pytest.raises(json.JSONDecodeError) as wrong:  # where this Python's JSON says it is wrong
        json.loads(path.read_text())
    where = f"line {wrong.value.lineno}, column {wrong.value.colno}"
    with pytest.raises(ProfilesUnreadable, match=where) as refused:
        ProfileStore(path)
    assert isinstance(refused.value, ConfigError)  # what callers already catch
    store = ProfileStore(path, unreadable="empty")
    assert store.profiles == {} and store.current is None and where in store.problem
    with pytest.raises(ProfilesUnreadable):
        store.put(Profile(name="new", origin="http://a.example", token="t"))
    monkeypatch.setenv("PUTER_AUTH_TOKEN", "from-env")
    assert resolve_target(store=ProfileStore(path, unreadable="empty")).token == "from-env"
    assert path.read_text() == '{"profiles": {},\n}\n'
    with pytest.raises(ProfilesUnreadable):
        ProfileStore(path)


def test_a_profiles_path_that_cannot_be_read_is_named_as_unreadable(tmp_path):
    path = tmp_path / "profiles.json"
    path.mkdir()  # a folder by that name: as unreadable as a file another program holds locked
    with pytest.raises(ProfilesUnreadable, match="profiles.json cannot be read"):
        ProfileStore(path)


def test_a_replays_token_from_an_unreadable_profiles_file_is_none_not_an_error(tmp_path, monkeypatch):
    from explorer.replays import token_for

    monkeypatch.setenv("PUTER_EXPLORER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PUTER_AUTH_TOKEN", raising=False)
    broken = tmp_path / "home" / "config" / "profiles.json"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"profiles": {},\n}\n')
    with pytest.raises(ProfilesUnreadable):  # the file the store reads is this broken one
        ProfileStore()
    assert token_for("http://elsewhere.example", "work") == (None, "work")
    monkeypatch.setenv("PUTER_API_ORIGIN", "http://elsewhere.example")
    monkeypatch.setenv("PUTER_AUTH_TOKEN", "the-environments-token")
    assert token_for("http://elsewhere.example", "work") == ("the-environments-token", "work")
