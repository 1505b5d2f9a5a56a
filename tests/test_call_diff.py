"""Two calls are diffed by what was sent and by what came back, each section marked."""

from __future__ import annotations

from explorer.jsondiff import diff_calls, differs, render_calls
from explorer.history import HistoryStore
from explorer.protocol.client import Connection
from explorer.protocol.request import CallRequest
from explorer.session import Session


def test_calls_with_the_same_answer_but_other_args_differ_in_the_request_section():
    old = {"request": {"method": "set", "args": {"key": "a", "value": 1}}, "answer": True}
    new = {"request": {"method": "set", "args": {"value": 2, "key": "a"}}, "answer": True}
    sections = diff_calls(old, new)
    assert differs(sections)
    assert render_calls(sections) == "request:\n- $.args.value: 1\n+ $.args.value: 2\nanswer: no differences"


def test_key_order_alone_is_no_difference():
    old = {"request": {"args": {"a": 1, "b": [1, 2]}}, "answer": {"x": 1, "y": 2}}
    new = {"request": {"args": {"b": [1, 2], "a": 1}}, "answer": {"y": 2, "x": 1}}
    assert not differs(diff_calls(old, new))
    assert render_calls(diff_calls(old, new)) == "no differences (request and answer are the same)"


async def test_two_recorded_kv_sets_differ_in_their_args(demo_server, tmp_path):
    session = Session(Connection(demo_server.origin, demo_server.token, download_dir=tmp_path / "r"),
                      history=HistoryStore(tmp_path / "history.sqlite3"))
    try:
        first, _ = await session.call(CallRequest("puter-kvstore", "set", {"key": "d", "value": 1}))
        second, _ = await session.call(CallRequest("puter-kvstore", "set", {"key": "d", "value": 2}))
        sections = diff_calls(session.entry_call(first), session.entry_call(second))
    finally:
        await session.aclose()
    assert [(c.path, c.old, c.new) for c in sections["request"]] == [("$.args.value", 1, 2)]
    assert sections["answer"] == []
