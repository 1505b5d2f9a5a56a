"""Snapshots of the states a user meets besides a plain result: first start, a past failure, a stream in
flight, the diff, export, add-method, model and compare screens, and help in a small terminal.

Past calls are written to a real history file first, with a fixed origin and duration, so that nothing on
screen varies from run to run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.history import HistoryStore
from explorer.protocol.outcomes import StreamTail
from explorer.protocol.request import CallRequest
from explorer.tui.calls import Call
from explorer.tui.widgets.catalog_tree import MethodRef

from .conftest import SIZE, no_blinking, settle, wait_until

ORIGIN_LABEL = "http://demo.example"


def _past_call(store: HistoryStore, method: str, args: dict, **outcome) -> int:
    body = {"interface": "puter-kvstore", "method": method, "args": args}
    entry_id = store.begin(origin=ORIGIN_LABEL, profile="default", interface="puter-kvstore", service="",
                           method=method, args_json=json.dumps(args), test_mode=False, request_body=json.dumps(body))
    store.complete(entry_id, duration_ms=12.0, **outcome)
    return entry_id


@pytest.fixture
def past_calls(explorer_home: Path) -> list[int]:
    """Three past calls, oldest first: two kv gets that differ, and a server that answered HTML."""
    with HistoryStore(explorer_home / "history.sqlite3") as store:
        return [
            _past_call(store, "get", {"key": "profile"}, kind="result", status=200, size=52,
                       result_text=json.dumps({"name": "Ada", "langs": ["en", "fr"], "age": 36})),
            _past_call(store, "get", {"key": "profile"}, kind="result", status=200, size=58,
                       result_text=json.dumps({"name": "Ada", "langs": ["en", "fr", "de"], "age": 37})),
            _past_call(store, "list", {}, kind="failure", status=502, size=166,
                       error_message="the server answered text/html, not JSON (HTTP 502): <html><body>"
                                     "<h1>502 Bad Gateway</h1></body></html>"),
        ]


async def _started(pilot) -> None:
    app = pilot.app
    await settle(app, pilot)
    no_blinking(app.screen)
    await pilot.pause()


async def _open(pilot, key: str, screen: str) -> None:
    """Press `key` and wait until the screen of that class name is up."""
    await pilot.press(key)
    await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == screen, what=screen)


async def _select_history_row(pilot, index: int) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: app.screen.history.option_list.option_count >= 3, what="the past calls")
    app.screen.history.option_list.highlighted = index
    await settle(app, pilot)


def test_first_start_before_a_method_is_chosen(snap_compare, make_app):
    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=_started)


def test_a_past_failure_from_the_history(snap_compare, make_app, past_calls):
    async def run_before(pilot) -> None:
        await _started(pilot)
        await _select_history_row(pilot, 0)  # newest first: the failure

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_diff_of_two_past_calls(snap_compare, make_app, past_calls):
    async def run_before(pilot) -> None:
        await _started(pilot)
        await _select_history_row(pilot, 2)  # the older get
        pilot.app.screen.history.option_list.focus()
        await pilot.press("m")
        await _select_history_row(pilot, 1)
        pilot.app.clear_notifications()
        await _open(pilot, "d", "DiffScreen")
        await pilot.pause()

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_a_past_call_exported_as_curl(snap_compare, make_app, past_calls):
    async def run_before(pilot) -> None:
        await _started(pilot)
        await _select_history_row(pilot, 1)
        await _open(pilot, "ctrl+o", "ExportScreen")
        pilot.app.screen.query_one("#export-text").cursor_blink = False
        await pilot.pause()

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_a_chat_stream_in_flight(snap_compare, make_app):
    """Half a streamed reply: the transcript shows what has arrived, the history row counts the chunks."""

    async def run_before(pilot) -> None:
        await _started(pilot)
        screen = pilot.app.screen
        screen.open_method(MethodRef("puter-chat-completion", "complete", None))
        request = CallRequest("puter-chat-completion", "complete",
                              {"messages": [{"role": "user", "content": "Name three rivers."}], "stream": True})
        call = Call.live(request, request.body())
        screen.history.add_call(call)
        call.stream = StreamTail()
        for piece in ("Three rivers: ", "the Nile, ", "the Amazon"):
            call.stream.add({"type": "text", "text": piece})
        screen._streaming.add(call)
        screen._flush_streams()

        def drawn() -> bool:
            view = screen.outcome_view.driver_view
            markdown = getattr(view, "reply_markdown", None)
            return markdown is not None and "the Amazon" in markdown.source and not view.busy

        await wait_until(pilot, drawn, what="the streamed text in the transcript")
        await pilot.pause()

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_add_method_dialog(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await _started(pilot)
        await _open(pilot, "ctrl+n", "AddMethodScreen")
        for field in pilot.app.screen.query("Input"):
            field.cursor_blink = False
        await pilot.press(*"puter-kvstore")
        await pilot.pause()

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_model_picker(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await _started(pilot)
        pilot.app.screen.open_method(MethodRef("puter-chat-completion", "complete", None))
        pilot.app.screen.editor.text_area.focus()
        await _open(pilot, "ctrl+t", "ModelPicker")
        await settle(pilot.app, pilot)
        for field in pilot.app.screen.query("Input"):
            field.cursor_blink = False
        await pilot.pause()

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_compare_screen_before_a_run(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await _started(pilot)
        pilot.app.screen.open_method(MethodRef("puter-chat-completion", "complete", None))
        await _open(pilot, "f8", "CompareScreen")
        await wait_until(pilot, lambda: len(pilot.app.screen.services) > 1, what="the server's models")
        await settle(pilot.app, pilot)

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_two_models_compared(snap_compare, make_app, steady_durations):
    async def run_before(pilot) -> None:
        await _started(pilot)
        pilot.app.screen.open_method(MethodRef("puter-chat-completion", "complete", None))
        pilot.app.screen.editor.text_area.load_text(
            json.dumps({"model": "fake", "messages": [{"role": "user", "content": "Which of you is right?"}]}))
        await _open(pilot, "f8", "CompareScreen")
        compare = pilot.app.screen
        await wait_until(pilot, lambda: len(compare.services) > 1, what="the server's models")
        names = [name for name, _, _ in compare.services]
        compare.query_one("#service-0").value = False
        for name in ("model fake", "model costly"):
            compare.query_one(f"#service-{names.index(name)}").value = True
        await pilot.press("r")
        await wait_until(pilot, lambda: not compare.running and len(compare.rows) == 2, what="both models")
        await wait_until(pilot, lambda: all(str(compare.table.get_row(k)[3]) == "200" for k in compare.rows),
                         what="the table to show both answers")
        compare.table.focus()
        await pilot.press("m")
        await settle(pilot.app, pilot)

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_at_80x24(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await _started(pilot)
        await _open(pilot, "f1", "HelpScreen")
        await pilot.pause()

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
