"""The app against a real demo server: opening methods, sending, the five outcome kinds, cancel, replay."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from explorer.tui.calls import Call
from explorer.tui.widgets.catalog_tree import MethodRef

from .conftest import SIZE, palette_offers, ready, settle, shown, wait_until


def kv_set_template() -> str:
    return json.dumps({"key": "greeting", "value": "hello"}, indent=2)


async def send(app: Any, pilot: Any, screen: Any, interface: str, method: str, args: Any, key: str = "f5") -> Call:
    screen.open_method(MethodRef(interface, method, None))
    screen.editor.text_area.load_text(json.dumps(args))
    await pilot.press(key)
    await settle(app, pilot)
    call = screen.history.selected
    assert call is not None
    return call


async def test_enter_on_a_tree_method_fills_the_template_and_focuses_the_editor(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await pilot.click("#tree-filter")
        await pilot.press(*"kvstore.set", "enter")  # filter, then into the tree on the first match
        await pilot.press("enter")
        await pilot.pause()
        assert (screen.editor.interface, screen.editor.method) == ("puter-kvstore", "set")
        assert screen.editor.text_area.text == kv_set_template()
        assert app.focused is screen.editor.text_area
        optional = shown(screen, "#args-optional")
        assert "expireAt (number)" in optional and "expireAt" not in screen.editor.text_area.text


async def test_command_palette_lists_methods_and_opens_one(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"puter-kvstore.get")
        await palette_offers(pilot, "puter-kvstore.get")
        await pilot.press("enter")
        await pilot.pause()
        assert (screen.editor.interface, screen.editor.method) == ("puter-kvstore", "get")
        assert json.loads(screen.editor.text_area.text) == {"key": "greeting"}
        assert app.focused is screen.editor.text_area


async def test_args_are_remembered_per_method_for_the_session(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-kvstore", "set", None))
        screen.editor.text_area.load_text('{"key": "mine", "value": 42}')
        screen.open_method(MethodRef("puter-kvstore", "get", None))
        screen.open_method(MethodRef("puter-kvstore", "set", None))
        assert screen.editor.text_area.text == '{"key": "mine", "value": 42}'


async def test_send_shows_a_result_in_the_history_pane(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        call = await send(app, pilot, screen, "puter-kvstore", "set", {"key": "tui-a", "value": [1, 2]})
        assert call.kind == "result" and call.status == 200
        assert "result" in str(call.outcome.kind)
        row = screen.history.option_list.get_option(call.key).prompt
        assert str(row).strip().startswith("result") and "puter-kvstore.set" in str(row)
        # the value really is on the server: read it back through the app
        call = await send(app, pilot, screen, "puter-kvstore", "get", {"key": "tui-a"})
        assert call.outcome.value == [1, 2]
        assert '"key": "tui-a"' in shown(screen, "#request-body")
        entry = app.session.history.get(call.entry_id)
        assert entry is not None and entry.kind == "result"


async def test_a_driver_error_shows_its_code_and_status(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        call = await send(app, pilot, screen, "puter-kvstore", "get", {})
        assert call.kind == "driver_error"
        summary = shown(screen, "#result-summary")
        assert "code: bad_request" in summary and "status: 400" in summary
        assert str(screen.history.option_list.get_option(call.key).prompt).strip().startswith("driver error")


async def test_a_binary_answer_is_saved_with_the_servers_bytes(make_app, demo_server):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        call = await send(app, pilot, screen, "puter-tts", "synthesize", {"text": "hello"}, key="ctrl+j")
        assert call.kind == "binary"
        saved = call.outcome.path
        assert saved.exists()
        direct = httpx.post(
            f"{demo_server.origin}/drivers/call",
            json={"interface": "puter-tts", "method": "synthesize", "args": {"text": "hello"}},
            headers={"Authorization": f"Bearer {demo_server.token}"},
        )
        assert direct.status_code == 200
        assert saved.read_bytes() == direct.content
        summary = shown(screen, "#result-summary")
        assert hashlib.sha256(direct.content).hexdigest() in summary.replace("\n", "")
        assert "52 49 46 46" in shown(screen, "#result-body")  # "RIFF" at the head of the hex dump


async def send_a_stream(app, pilot):
    """Open the fake chat with `stream: true`, send it, and return the screen and its call."""
    screen = await ready(app, pilot)
    screen.open_method(MethodRef("puter-chat-completion", "complete", None))
    args = {"model": "fake", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    screen.editor.text_area.load_text(json.dumps(args))
    await pilot.press("f5")
    return screen, screen.history.selected


async def test_stream_chunks_appear_before_the_stream_ends(make_app, make_demo_server):
    slow = make_demo_server(stream_delay=0.3)  # about 2 s in all: time to see it in flight on a busy machine
    app = make_app(server=slow)
    async with app.run_test(size=SIZE) as pilot:
        screen, call = await send_a_stream(app, pilot)
        log = screen.query_one("#result-chunks")
        await wait_until(pilot, lambda: call.kind == "pending" and log.line_count > 0, what="a chunk in the log")
        assert "This is a fake" in shown(screen, "#result-body")
        assert call.worker is not None and not call.worker.is_finished, "the stream ended before it was shown"
        await settle(app, pilot)
        assert call.kind == "stream" and call.outcome.complete
        assert log.line_count == len(call.outcome.chunks) == call.outcome.chunk_count
        assert "offline on your own machine" in shown(screen, "#result-body").replace("\n", " ")


async def test_escape_cancels_the_selected_call_in_flight(make_app, make_demo_server):
    slow = make_demo_server(stream_delay=1.0)
    app = make_app(server=slow)
    async with app.run_test(size=SIZE) as pilot:
        screen, call = await send_a_stream(app, pilot)
        # in flight for sure: the first chunk arrived
        await wait_until(pilot, lambda: call.stream is not None and call.stream.chunk_count > 0, what="a chunk")
        assert screen.status_bar.in_flight == 1
        await pilot.press("escape")
        await settle(app, pilot)
        assert call.kind == "failure" and call.message == "cancelled"
        assert screen.status_bar.in_flight == 0
        assert call.stream.chunk_count < 7  # it did not run to the end
        entry = app.session.history.get(call.entry_id) if call.entry_id else app.session.history.list(limit=1)[0]
        assert entry.kind == "failure" and "cancelled" in (entry.error_message or "")


async def test_several_calls_can_be_in_flight_at_once(make_app, make_demo_server):
    slow = make_demo_server(stream_delay=0.5)
    app = make_app(server=slow)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-chat-completion", "complete", None))
        args = {"model": "fake", "messages": [{"role": "user", "content": "hi"}], "stream": True}
        screen.editor.text_area.load_text(json.dumps(args))
        await pilot.press("f5", "f5")
        calls = list(screen.history.calls.values())
        assert len(calls) == 2
        # both streams have started and neither can have ended
        await wait_until(pilot, lambda: all(c.stream is not None for c in calls), what="both streams")
        assert all(c.in_flight for c in calls)
        assert screen.status_bar.in_flight == 2
        await settle(app, pilot)
        assert [c.kind for c in screen.history.calls.values()] == ["stream", "stream"]
        assert screen.status_bar.in_flight == 0


async def test_replay_sends_the_selected_entry_again_as_a_new_entry(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        args = {"key": "tui-counter", "pathAndAmountMap": {"": 1}}
        first = await send(app, pilot, screen, "puter-kvstore", "incr", args)
        assert first.outcome.value == 1
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        again = screen.history.selected
        assert again is not first and again.replay_of == first.entry_id
        assert again.outcome.value == 2  # it really reached the server a second time
        entry = app.session.history.get(again.entry_id)
        assert entry.replay_of == first.entry_id
        assert json.loads(entry.args_json) == args


async def test_edit_loads_the_selected_entry_back_into_the_editor(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await send(app, pilot, screen, "puter-kvstore", "set", {"key": "edit-me", "value": {"a": 1}})
        screen.open_method(MethodRef("puter-kvstore", "get", None))
        await pilot.press("f4", "ctrl+e")  # from the history list: in the editor ctrl+e is end-of-line
        await pilot.pause()
        assert (screen.editor.interface, screen.editor.method) == ("puter-kvstore", "set")
        assert json.loads(screen.editor.text_area.text) == {"key": "edit-me", "value": {"a": 1}}


async def test_invalid_json_is_refused_and_nothing_reaches_the_server(make_app, demo_server):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-kvstore", "set", None))
        screen.editor.text_area.load_text('{"key": "never-sent",\n "value": 1,}')
        await pilot.pause()
        status = shown(screen, "#args-status")
        assert "line 2, column 13" in status
        await pilot.press("f5")
        await settle(app, pilot)
        assert screen.history.calls == {}
        assert app.session.history.count() == 0
        assert any("not valid JSON" in n.message for n in app._notifications)
    check = httpx.post(
        f"{demo_server.origin}/drivers/call",
        json={"interface": "puter-kvstore", "method": "get", "args": {"key": "never-sent"}},
        headers={"Authorization": f"Bearer {demo_server.token}"},
    )
    assert check.json()["result"] is None


async def test_missing_required_params_are_warned(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-kvstore", "set", None))
        screen.editor.text_area.load_text('{"key": "k"}')
        await pilot.pause()
        assert "missing required: value" in shown(screen, "#args-status")


async def test_with_no_filter_the_tree_holds_every_method(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        panel = screen.catalog_panel
        for iface, method in screen.catalog.iter_methods():
            assert panel._find(MethodRef(iface.name, method.name, None)) is not None, f"{iface.name}.{method.name}"


async def test_the_palette_finds_a_method_by_words_in_any_order(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"kv set")
        await palette_offers(pilot, "puter-kvstore.set")
        await pilot.press("enter")
        await pilot.pause()
        assert (screen.editor.interface, screen.editor.method) == ("puter-kvstore", "set")


async def test_enter_in_the_tree_filter_goes_to_the_best_match_not_the_first(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.catalog_panel.query_one("#tree-filter").focus()
        await pilot.press(*"chat complete")  # `models` comes first in the tree and matches too
        await pilot.pause()
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert (screen.editor.interface, screen.editor.method) == ("puter-chat-completion", "complete")
