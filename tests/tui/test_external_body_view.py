"""A binary entry whose body is the user's file (`call -o`): the Result tab names it, and says when it is gone."""

from __future__ import annotations

import hashlib

from explorer.history import HistoryStore
from explorer.tui.calls import Call
from explorer.tui.views.render import result_parts


def test_result_tab_of_an_external_body_says_when_the_file_was_deleted(tmp_path):
    target = tmp_path / "tone.wav"
    body = b"RIFF" + b"\x01" * 300
    target.write_bytes(body)
    with HistoryStore(tmp_path / "data" / "history.sqlite3") as store:
        entry_id = store.begin(origin="o", profile="p", interface="puter-tts", service="s", method="synthesize",
                               args_json="{}", test_mode=False, request_body="{}")
        store.complete(entry_id, kind="binary", size=len(body), content_type="audio/wav", external_body=target,
                       body_sha256=hashlib.sha256(body).hexdigest())
        entry = store.get(entry_id)
    assert entry is not None

    summary, shown = result_parts(Call.from_entry(entry))
    assert str(target) in summary.plain and "missing" not in summary.plain
    assert shown is not None and "52 49 46 46" in "\n".join(line for batch in shown.batches for line in batch)

    target.unlink()
    summary, _shown = result_parts(Call.from_entry(entry))
    assert f"missing: the file {target} was moved or deleted since the call" in summary.plain
