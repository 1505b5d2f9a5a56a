"""A body the user chose (`call -o`): recorded where it is, with the hash given, never moved or deleted."""

from __future__ import annotations

import hashlib

import pytest

from explorer.history import HistoryError, HistoryStore


def begin(store: HistoryStore) -> int:
    return store.begin(origin="o", profile="p", interface="puter-tts", service="s", method="synthesize",
                       args_json="{}", test_mode=False, request_body="{}")


def test_external_body_is_recorded_by_absolute_path_and_outlives_prune(tmp_path, monkeypatch):
    body = b"RIFF" + bytes(range(256)) * 64
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "tone.wav").write_bytes(body)
    monkeypatch.chdir(tmp_path / "work")
    digest = hashlib.sha256(body).hexdigest()
    with HistoryStore(tmp_path / "data" / "history.sqlite3") as store:
        entry_id = begin(store)
        where = store.complete(entry_id, kind="binary", size=len(body), content_type="audio/wav",
                               external_body="tone.wav", body_sha256=digest)  # relative: as typed after -o
        target = tmp_path / "work" / "tone.wav"
        assert where == target
        entry = store.get(entry_id)
        assert entry is not None
        assert entry.body_path == str(target) and entry.body_external and entry.body_sha256 == digest
        assert store.read_body(entry) == body
        assert not store.bodies_dir.exists() or list(store.bodies_dir.iterdir()) == []

        # An entry of our own next to it: prune removes its body file, not the user's.
        own = begin(store)
        ours = store.complete(own, kind="result", result_text="x" * (store.inline_limit + 1))
        assert ours is not None and ours.parent == store.bodies_dir and not store.get(own).body_external
        assert store.prune(keep=0) == 2
        assert not ours.exists()
        assert target.read_bytes() == body


def test_external_body_without_a_hash_is_hashed_and_a_missing_one_is_named(tmp_path):
    body = b"\x89PNG" + b"\x00" * 1000
    target = tmp_path / "picture.png"
    target.write_bytes(body)
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        entry_id = begin(store)
        store.complete(entry_id, kind="binary", size=len(body), content_type="image/png", external_body=target)
        entry = store.get(entry_id)
        assert entry is not None and entry.body_sha256 == hashlib.sha256(body).hexdigest()
        target.unlink()
        with pytest.raises(HistoryError, match="moved or deleted since the call"):
            store.read_body(entry)


def test_a_failed_complete_leaves_the_external_body_where_it_is(tmp_path):
    target = tmp_path / "kept.bin"
    target.write_bytes(b"abc")
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        entry_id = begin(store)
        store.complete(entry_id, kind="failure", summary="first")
        with pytest.raises(HistoryError, match="already complete"):
            store.complete(entry_id, kind="binary", external_body=target, body_sha256="0" * 64)
    assert target.read_bytes() == b"abc"
