"""Views that understand a driver (the View tab), against the real demo server in both generations:
a chat transcript (streamed, and continued for two turns), tables, images, audio, OCR blocks, any binary;
with a snapshot of each at a fixed size."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import Input

from explorer.demo.media import png_gradient, wav_tone
from explorer.protocol.outcomes import Binary, Exchange, Result
from explorer.protocol.request import CallRequest
from explorer.tui.calls import Call
from explorer.tui.views import drivers
from explorer.tui.views.drivers import (
    AudioView, BinaryView, ChatView, ContinueConversation, ImageView, OcrView, TableView, view_for,
)
from explorer.tui.views.drivers import audio, chat, ocr
from explorer.tui.views.drivers.actions import BinaryActions
from explorer.tui.widgets.catalog_tree import MethodRef

from .conftest import SIZE, asking_where, ready, settle, steady_screen, wait_until

ORIGIN_LABEL = "http://demo.example"
CHAT = {"model": "fake", "messages": [{"role": "user", "content": "hi"}]}


async def send(app: Any, pilot: Any, screen: Any, interface: str, method: str, args: Any) -> Call:
    screen.open_method(MethodRef(interface, method, None))
    screen.editor.text_area.load_text(json.dumps(args))
    await pilot.press("f5")
    await settle(app, pilot)
    call = screen.history.selected
    assert call is not None and call.interface == interface and call.method == method
    return call


async def start(app: Any, pilot: Any, screen: Any, request: CallRequest, **options: Any) -> Call:
    call = screen.start_call(request, **options)
    await settle(app, pilot)
    return call


def view_of(screen: Any, kind: type) -> Any:
    """The driver view on screen, checked to be of `kind` and in the active View tab."""
    outcome = screen.outcome_view
    view = outcome.driver_view
    assert isinstance(view, kind), f"expected a {kind.__name__}, got {type(view).__name__}"
    assert outcome.tabs.active == "tab-view"
    return view


def plain(widget: Any) -> str:
    content = widget.content if hasattr(widget, "content") else widget.render()
    return content.plain if isinstance(content, Text) else str(content)


def markdown_source(view: ChatView) -> str:
    return view.reply_markdown.source if view.reply_markdown is not None else ""


def fake_opener(folder: Path, name: str) -> Path:
    """An `xdg-open` / `open` that records what it was asked to open (first on PATH)."""
    record = folder / "opened.txt"
    script = folder / name
    script.write_text(f"#!/bin/sh\nprintf '%s' \"$1\" > {record}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return record


# -- the View tab itself ----------------------------------------------------------------------------


async def test_the_view_tab_shows_only_for_calls_a_view_understands(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        tabs = screen.outcome_view.tabs
        assert tabs.active == "tab-result"
        await send(app, pilot, screen, "puter-kvstore", "set", {"key": "k", "value": {"a": 1}})
        assert screen.outcome_view.driver_view is None and tabs.active == "tab-result"
        assert tabs.query_one("#--content-tab-tab-view").has_class("-hidden")
        get = await send(app, pilot, screen, "puter-kvstore", "get", {"key": "k"})
        view_of(screen, TableView)
        assert not tabs.query_one("#--content-tab-tab-view").has_class("-hidden")
        await send(app, pilot, screen, "puter-kvstore", "get", {})  # a driver error: no view
        assert screen.outcome_view.driver_view is None and tabs.active == "tab-result"
        screen.history.select(get.key)  # back to the get: its view again, in front
        await settle(app, pilot)
        view_of(screen, TableView)


def test_the_registry_picks_the_first_view_that_matches(tmp_path: Path):
    def binary_call(content_type: str, interface: str = "x", method: str = "y") -> Call:
        path = tmp_path / "body"
        path.write_bytes(b"\x00\x01")
        call = Call(key="c", interface=interface, method=method, service=None, args={})
        call.finish(1, Binary(_exchange(), path, content_type, 2, "0" * 64, "body", head=b"\x00\x01"))
        return call

    assert view_for(binary_call("image/png")) is ImageView
    assert view_for(binary_call("audio/mpeg", "puter-tts", "synthesize")) is AudioView
    assert view_for(binary_call("application/octet-stream")) is BinaryView
    result = Call(key="r", interface="puter-ocr", method="recognize", service=None, args={})
    result.finish(2, Result(_exchange(), value={"blocks": []}))
    assert view_for(result) is OcrView
    result.interface, result.method = "puter-kvstore", "set"
    assert view_for(result) is None
    assert drivers.VIEWS[-1] is BinaryView  # the catch-all comes last


def _exchange() -> Exchange:
    return Exchange("POST", "http://h/drivers/call", {}, "{}", status=200)


# -- chat -----------------------------------------------------------------------------------------


async def test_a_streamed_chat_is_drawn_into_the_transcript_as_it_arrives(make_app, make_demo_server):
    slow = make_demo_server(stream_delay=0.3)  # slow enough that the first text shows well before the end
    app = make_app(server=slow)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-chat-completion", "complete", None))
        screen.editor.text_area.load_text(json.dumps(dict(CHAT, stream=True)))
        await pilot.press("f5")
        call = screen.history.selected
        await wait_until(pilot, lambda: isinstance(screen.outcome_view.driver_view, ChatView)
                         and "This is a fake" in markdown_source(screen.outcome_view.driver_view), what="streamed text")
        assert call.kind == "pending" and not call.worker.is_finished, "the stream ended before it was drawn"
        view = view_of(screen, ChatView)
        partial = markdown_source(view)
        assert "receiving the reply" in plain(view.query_one("#chat-footer"))
        await settle(app, pilot)
        assert call.kind == "stream" and screen.outcome_view.driver_view is view  # the same view, finished
        await wait_until(pilot, lambda: not view.busy, what="the reply drawn")
        whole = markdown_source(view)
        assert whole.startswith(partial) and len(whole) > len(partial)
        assert whole == call.outcome.text and "offline on your own machine" in whole
        footer = plain(view.query_one("#chat-footer"))
        assert "usage: input_tokens 1 · output_tokens" in footer and "waiting" not in footer
        roles = [plain(w) for w in view.query(".chat-role")]
        assert roles[:1] == ["user"] and "hi" in [plain(w) for w in view.query(".chat-plain")]


@pytest.mark.parametrize("generation", ["v1", "v2"])
async def test_a_chat_result_is_a_transcript_with_model_and_usage(make_app, make_demo_server, generation):
    app = make_app(server=make_demo_server(generation=generation))
    args = {"model": "fake", "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "**hi**"}]}
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await send(app, pilot, screen, "puter-chat-completion", "complete", args)
        view = view_of(screen, ChatView)
        await wait_until(pilot, lambda: not view.busy and markdown_source(view), what="the reply")
        assert markdown_source(view).startswith("This is a fake answer from the demo server. You wrote 6 characters")
        assert [plain(w) for w in view.query(".chat-role")] == ["system", "user", "assistant"]
        assert [plain(w) for w in view.query(".chat-plain")] == ["be brief", "**hi**"]  # sent text is shown as sent
        footer = plain(view.query_one("#chat-footer"))
        assert "model: fake" in footer and "finish: stop" in footer and "service: fake-chat" in footer
        assert "output_tokens" in footer


async def test_a_conversation_continues_for_two_turns(make_app):
    posted: list[ContinueConversation] = []

    def hook(message: Any) -> None:
        if isinstance(message, ContinueConversation) and all(message is not m for m in posted):
            posted.append(message)  # (the hook sees it again at each node it bubbles through)

    app = make_app()
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        screen = await ready(app, pilot)
        first = await send(app, pilot, screen, "puter-chat-completion", "complete", CHAT)
        previous, said = first, ["hi"]
        for turn, text in enumerate(["tell me more", "and again"], 1):
            view = view_of(screen, ChatView)
            await wait_until(pilot, lambda: not view.busy and view.reply is not None and view.reply.message,
                             what="a reply to answer")
            before = set(screen.history.calls)
            view.query_one("#chat-log").focus()
            await pilot.press("r")  # the reply box's own key
            assert app.focused is view.query_one("#chat-input")
            await pilot.press(*text, "enter")
            await wait_until(pilot, lambda: len(posted) == turn, what="the ContinueConversation message")
            message = posted[-1]
            assert message.call is previous and message.replay_of == previous.entry_id is not None
            assert (message.interface, message.method, message.service) == ("puter-chat-completion", "complete", first.service)
            sent = message.args["messages"]
            assert len(sent) == 2 * turn + 1 and sent[-1] == {"role": "user", "content": text}
            assert sent[-2]["role"] == "assistant" and "This is a fake answer" in json.dumps(sent[-2]["content"])
            assert [m["content"] for m in sent if m["role"] == "user"] == [*said, text]
            assert message.args["model"] == "fake"
            await settle(app, pilot)
            new = [k for k in screen.history.calls if k not in before]
            if not new:  # the main screen does not handle the message: do what it is documented to do
                await start(app, pilot, screen, message.request(), replay_of=message.replay_of)
                new = [k for k in screen.history.calls if k not in before]
            assert len(new) == 1
            previous = screen.history.calls[new[0]]
            assert previous.replay_of == message.replay_of and previous.kind == "result"
            assert previous.args == message.args
            said.append(text)
            view = view_of(screen, ChatView)
            await wait_until(pilot, lambda: not view.busy and markdown_source(view), what="the next reply")
            assert f"starting with: {text}." in markdown_source(view)  # the server saw the new message last
            assert [plain(w) for w in view.query(".chat-role")] == ["user", "assistant"] * turn + ["user", "assistant"]
        entry = app.session.history.get(previous.entry_id)
        assert len(json.loads(entry.args_json)["messages"]) == 5


def test_reply_shapes_reasoning_and_tool_calls_are_read():
    v1 = {"message": {"role": "assistant", "model": "m1", "content": [
        {"type": "thinking", "thinking": "let me see"},
        {"type": "text", "text": "# Title\nbody"},
        {"type": "tool_use", "id": "t1", "name": "lookup", "input": {"q": "x"}},
    ]}, "usage": {"input_tokens": 3}, "finish_reason": "stop"}
    reply = chat.parse_reply(v1)
    assert (reply.text, reply.reasoning, reply.tools) == ("# Title\nbody", "let me see", ['lookup({"q": "x"})'])
    assert (reply.model, reply.finish) == ("m1", "stop") and reply.message["content"] == v1["message"]["content"]
    openai = {"model": "gpt", "choices": [{"finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": "ok", "reasoning_content": "hmm",
        "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]}}]}
    reply = chat.parse_reply(openai)
    assert (reply.text, reply.reasoning, reply.tools, reply.model) == ("ok", "hmm", ['f({"a": 1})'], "gpt")
    assert reply.message["tool_calls"][0]["function"]["name"] == "f"
    responses = {"model": "r", "status": "completed", "output": [
        {"type": "reasoning", "summary": [{"type": "summary_text", "text": "thought"}]},
        {"type": "message", "content": [{"type": "output_text", "text": "answer"}]}]}
    reply = chat.parse_reply(responses)
    assert (reply.text, reply.reasoning, reply.finish) == ("answer", "thought", "completed")
    assert chat.parse_reply("plain").text == "plain"
    stream = chat.Reply("assistant")
    added = chat.ChunkReader(stream).take([{"type": "reasoning", "reasoning": "r"}, {"type": "text", "text": "a"},
                                           {"type": "tool_use", "name": "t", "input": {}}, {"type": "text", "text": "b"},
                                           {"type": "usage", "usage": {"n": 1}}, {"type": "error", "message": "cut"}])
    assert added == "ab" and (stream.reasoning, stream.tools, stream.usage, stream.error) == ("r", ["t({})"], {"n": 1}, "cut")
    assert chat.continued_args({"messages": [1], "model": "x"}, {"role": "assistant", "content": "a"}, "q") == {
        "messages": [1, {"role": "assistant", "content": "a"}, {"role": "user", "content": "q"}], "model": "x"}


async def test_stored_calls_get_their_views_too(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        live_chat = await send(app, pilot, screen, "puter-chat-completion", "complete", dict(CHAT, stream=True))
        live_tts = await send(app, pilot, screen, "puter-tts", "synthesize", {"text": "stored"})
        store = app.session.history
        stored_chat = Call.from_entry(store.get(live_chat.entry_id))
        screen.outcome_view.show(stored_chat)
        await settle(app, pilot)
        view = view_of(screen, ChatView)
        await wait_until(pilot, lambda: not view.busy and markdown_source(view), what="the stored reply")
        assert markdown_source(view) == live_chat.outcome.text
        assert "usage:" in plain(view.query_one("#chat-footer"))  # read back from the stored chunks
        stored_tts = Call.from_entry(store.get(live_tts.entry_id))
        screen.outcome_view.show(stored_tts)
        await settle(app, pilot)
        view = view_of(screen, AudioView)
        assert "duration: 0.500 s" in plain(view.query_one("#audio-facts"))


# -- tables -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("generation", ["v1", "v2"])
async def test_a_kv_list_is_a_sortable_table_whose_cells_copy_whole(make_app, make_demo_server, generation):
    app = make_app(server=make_demo_server(generation=generation))
    long_text = "[bold]not markup[/] " + "x" * 100
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        for key, value in (("b", 2), ("a", long_text), ("c", {"n": [1, 2]}), ("d", 10)):
            await send(app, pilot, screen, "puter-kvstore", "set", {"key": key, "value": value})
        await send(app, pilot, screen, "puter-kvstore", "list", {})
        view = view_of(screen, TableView)
        await wait_until(pilot, lambda: view.table.row_count == 4, what="the rows")
        table = view.table
        assert [str(c.label) for c in table.columns.values()] == ["key", "value"]
        assert "4 rows" in plain(view.query_one("#table-note"))
        keys = lambda: [str(table.get_row_at(i)[0]) for i in range(table.row_count)]  # noqa: E731
        assert keys() == ["a", "b", "c", "d"]
        assert str(table.get_row_at(0)[1]).startswith("[bold]not markup[/] xxx")  # literal, cut to a cell
        table.focus()
        await pilot.press("right", "s")  # sort by value: numbers by value, then text, then objects
        assert keys() == ["b", "d", "a", "c"]
        assert str(table.columns[list(table.columns)[1]].label) == "value ▲"
        await pilot.press("s")
        assert keys() == ["c", "a", "d", "b"]
        copied: list[str] = []
        app.copy_to_clipboard = copied.append
        table.move_cursor(row=keys().index("a"), column=1)
        await pilot.press("c")
        assert copied == [long_text]
        table.move_cursor(row=keys().index("c"), column=1)
        await pilot.press("c")
        assert json.loads(copied[-1]) == {"n": [1, 2]}
        await send(app, pilot, screen, "puter-kvstore", "get", {"key": "c"})  # an object: key / value rows
        view = view_of(screen, TableView)
        await wait_until(pilot, lambda: view.table.row_count == 1, what="the object's rows")
        assert [str(c) for c in view.table.get_row_at(0)] == ["n", "[1, 2]"]


async def test_apps_and_notifications_are_tables_with_a_column_per_field(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        for name in ("first-app", "second-app"):
            await send(app, pilot, screen, "puter-apps", "create",
                       {"object": {"name": name, "index_url": "https://example.com/"}})
        await send(app, pilot, screen, "puter-apps", "select", {})
        view = view_of(screen, TableView)
        await wait_until(pilot, lambda: view.table.row_count == 2, what="two apps")
        labels = [str(c.label) for c in view.table.columns.values()]
        assert labels[:3] == ["uid", "name", "title"] and "owner" in labels
        names = [str(view.table.get_row_at(i)[1]) for i in range(2)]
        assert names == ["first-app", "second-app"]
        await send(app, pilot, screen, "puter-notifications", "select", {})
        view = view_of(screen, TableView)
        await wait_until(pilot, lambda: "0 rows" in plain(view.query_one("#table-note")), what="an empty table")
        assert view.table.row_count == 0


# -- images -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("generation", ["v1", "v2"])
async def test_an_image_is_previewed_in_half_blocks_and_saved(make_app, make_demo_server, generation, tmp_path):
    app = make_app(server=make_demo_server(generation=generation))
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        call = await send(app, pilot, screen, "puter-image-generation", "generate", {"prompt": "a cat"})
        assert call.kind == ("binary" if generation == "v1" else "result")
        view = view_of(screen, ImageView)
        await wait_until(pilot, lambda: view.preview is not None, what="the preview")
        from textual_image.widget import HalfcellImage

        assert isinstance(view.preview, HalfcellImage)  # headless: no terminal graphics asked for
        facts = plain(view.query_one("#image-facts"))
        assert "content type: image/png" in facts and "64 × 64 px, PNG RGB" in facts
        if generation == "v1":
            assert f"saved to: {call.outcome.path}" in facts.replace("\n", "")
            png = call.outcome.path.read_bytes()
        else:
            assert "a data URI in the result" in facts
            png = base64.b64decode(call.outcome.value.split(",", 1)[1])

        def drawn() -> list[str]:
            return [strip.text for strip in view.preview.render_lines(view.preview.region.reset_offset)]

        await wait_until(pilot, lambda: len(drawn()) > 1 and len(drawn()[0]) > 10, what="the preview drawn")
        assert all(set(line) <= {"▀"} for line in drawn())
        # save as: a new file, then a refusal to overwrite, then the overwrite once confirmed
        target = tmp_path / "cat.png"
        target.write_bytes(b"keep me")
        view.focus()
        await pilot.press("s")
        from explorer.tui.screens.save_copy import SaveCopyScreen
        from explorer.tui.views.drivers.actions import downloads_folder

        await wait_until(pilot, lambda: asking_where(app), what="the question where")
        field = app.screen.query_one("#save-copy-path")
        assert app.focused is field and field.value.endswith(".png")
        assert Path(field.value).parent == downloads_folder()  # offered in the downloads folder
        field.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert "exists: press Enter again to overwrite" in app.screen.problem and target.read_bytes() == b"keep me"
        await pilot.press("enter")
        await settle(app, pilot)
        actions = view.query_one(BinaryActions)
        assert f"saved to {target}" in actions.status and target.read_bytes() == png


@pytest.mark.parametrize(
    ("environment", "after"),
    [
        ({"TERM": "xterm-256color"}, "HalfcellImage"),  # not known to draw images: never asked
        ({"TERM": "xterm-kitty"}, "AutoImage"),
        ({"TERM": "xterm-256color", "PUTER_EXPLORER_IMAGES": "ask"}, "AutoImage"),
        ({"TERM": "xterm-kitty", "PUTER_EXPLORER_IMAGES": "blocks"}, "HalfcellImage"),
    ],
)
def test_terminal_graphics_are_asked_for_only_when_prepared(environment, after):
    """Before the app starts, a terminal known to draw images is asked what it draws; a view never asks later."""
    code = (
        "from explorer.tui.views.drivers import image\n"
        "print(image.image_widget_class().__mro__[1].__name__)\n"
        "image.prepare_terminal_graphics()\n"
        "print(image.image_widget_class().__mro__[1].__name__)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("TERM", "TERM_PROGRAM", "LC_TERMINAL", "KITTY_WINDOW_ID")}
    env.pop("PUTER_EXPLORER_IMAGES", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, env={**env, **environment})
    assert done.returncode == 0, done.stderr
    # half blocks before; after, the detected kind (plain unicode, for a pipe) where the terminal was asked
    assert done.stdout.split() == ["HalfcellImage", after]


def test_an_image_url_is_shown_never_fetched():
    from explorer.tui.views.drivers import image

    decoded = image.decode(None, "https://example.invalid/picture.png")
    assert "https://example.invalid/picture.png" in decoded.facts.plain and decoded.picture is None
    assert "does not fetch" in decoded.note


# -- audio -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("generation", ["v1", "v2"])
async def test_audio_facts_waveform_and_the_system_player(make_app, make_demo_server, generation, tmp_path,
                                                          monkeypatch):
    app = make_app(server=make_demo_server(generation=generation))
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        call = await send(app, pilot, screen, "puter-tts", "synthesize", {"text": "hello"})
        view = view_of(screen, AudioView)
        await wait_until(pilot, lambda: view.query_one(audio.Waveform).display, what="the waveform")
        facts = plain(view.query_one("#audio-facts"))
        for expected in ("content type: audio/wav", "duration: 0.500 s (8000 frames)", "sample rate: 16000 Hz",
                         "channels: 1 (mono)", "sample size: 16 bits", "peak: -8.0 dBFS"):
            assert expected in facts
        waveform = view.query_one(audio.Waveform)
        lines = waveform.text.split("\n")
        assert len(lines) == 3 and set("".join(lines)) <= set(audio.BLOCKS) and "█" in lines[0]
        actions = view.query_one(BinaryActions)
        empty = tmp_path / "empty-bin"
        empty.mkdir()
        monkeypatch.setenv("PATH", str(empty))
        view.focus()
        await pilot.press("o")
        assert "no system player here" in actions.status
        record = fake_opener(empty, "open" if sys.platform == "darwin" else "xdg-open")
        await pilot.press("o")
        await settle(app, pilot)
        await wait_until(pilot, lambda: record.exists() and record.read_text(), what="the player to be started")
        assert record.read_text() == str(call.outcome.path) and "opened" in actions.status


def test_audio_peaks_of_a_known_tone_and_other_formats(tmp_path):
    path = tmp_path / "tone.wav"
    path.write_bytes(wav_tone(1.0, 440.0, 8000))
    facts = audio.read_wav(str(path))
    assert (facts.channels, facts.rate, facts.bits, facts.frames) == (1, 8000, 16, 8000)
    assert abs(max(facts.peaks) - 0.4) < 0.01 and facts.peaks[0] < facts.peaks[len(facts.peaks) // 2]
    assert audio.waveform_rows([0.0, 0.5, 1.0], 3, 1) == [" ▄█"]
    assert audio.waveform_rows([0.0, 0.0], 2, 2) == ["  ", "▁▁"]
    url = Call(key="u", interface="puter-tts", method="synthesize", service=None, args={})
    url.finish(3, Result(_exchange(), value={"url": "https://example.invalid/a.mp3", "content_type": "audio"}))
    assert view_for(url) is AudioView
    heard = audio.listen(url)
    assert "https://example.invalid/a.mp3" in heard.facts.plain and "does not fetch" in heard.note


# -- OCR and other bytes -------------------------------------------------------------------------------


@pytest.mark.parametrize("generation", ["v1", "v2"])
async def test_ocr_blocks_with_their_confidence(make_app, make_demo_server, generation):
    app = make_app(server=make_demo_server(generation=generation))
    source = "data:image/png;base64," + base64.b64encode(png_gradient(8, 8)).decode()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        call = await start(app, pilot, screen, CallRequest("puter-ocr", "recognize", {"source": source}, test_mode=True))
        assert call.kind == "result"
        view = view_of(screen, OcrView)
        await wait_until(pilot, lambda: "block" in plain(view.query_one("#ocr-blocks")), what="the blocks")
        shown = plain(view.query_one("#ocr-blocks"))
        assert "1 text block, mean confidence 100%" in shown
        assert "██████████  100%  text/puter:sample-output" in shown
        assert "test_mode is enabled; this is a sample OCR response." in shown


def test_ocr_confidence_scales_and_odd_shapes():
    blocks = ocr.ocr_blocks({"blocks": [{"text": "a", "confidence": 87.5}, {"text": "\x1b[2Jb", "confidence": 0.25}]})
    shown = ocr.render_blocks(blocks).plain
    assert "mean confidence 56%" in shown and "88%" in shown and "25%" in shown
    assert "\\x1b[2Jb" in shown and "\x1b" not in shown
    assert ocr.ocr_blocks({"pages": [{"index": 0, "markdown": "# p"}]}) == [{"type": "page 0", "text": "# p"}]


async def test_any_other_binary_has_facts_a_hex_head_open_and_save(make_app, tmp_path, monkeypatch):
    body = tmp_path / "blob.bin"
    body.write_bytes(bytes(range(256)) * 4)
    call = Call(key="blob", interface="test-drivers", method="blob", service=None, args={})
    sha = hashlib.sha256(body.read_bytes()).hexdigest()
    call.finish(9, Binary(_exchange(), body, "application/octet-stream", 1024, sha, "blob.bin"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.history.add_call(call)
        await settle(app, pilot)
        view = view_of(screen, BinaryView)
        await wait_until(pilot, lambda: "0000" in plain(view.query_one("#binary-hex")), what="the hex head")
        facts = plain(view.query_one("#binary-facts"))
        assert "application/octet-stream" in facts and sha in facts.replace("\n", "")
        hexes = plain(view.query_one("#binary-hex"))
        assert hexes.startswith("0000  00 01 02 03 04 05 06 07") and "… 512 more bytes" in hexes
        folder = tmp_path / "bin"
        folder.mkdir()
        record = fake_opener(folder, "open" if sys.platform == "darwin" else "xdg-open")
        monkeypatch.setenv("PATH", str(folder) + os.pathsep + os.environ.get("PATH", ""))
        view.focus()
        await pilot.press("o")
        await wait_until(pilot, lambda: record.exists() and record.read_text(), what="the viewer to be started")
        assert record.read_text() == str(body)
        await pilot.press("s")
        from explorer.tui.screens.save_copy import SaveCopyScreen

        await wait_until(pilot, lambda: asking_where(app), what="the question where")
        app.screen.query_one("#save-copy-path", Input).value = str(tmp_path / "no-such-folder" / "x.bin")
        await pilot.press("enter")
        await pilot.pause()
        assert "there is no folder" in app.screen.problem
        app.screen.query_one("#save-copy-path", Input).value = str(tmp_path / "copy.bin")
        await pilot.press("enter")
        await settle(app, pilot)
        assert (tmp_path / "copy.bin").read_bytes() == body.read_bytes()
        assert f"saved to {tmp_path / 'copy.bin'}" in view.query_one(BinaryActions).status


# -- snapshots ----------------------------------------------------------------------------------------


@pytest.fixture
def fixed_paths(monkeypatch):
    """Saved files live in the test's own folder: show only their names, so that snapshots do not vary."""
    for name, module in list(sys.modules.items()):
        if name.startswith("explorer.tui.views.drivers") and hasattr(module, "shown_path"):
            monkeypatch.setattr(module, "shown_path", lambda path: f"…/{Path(str(path)).name}")


async def _drawn(pilot) -> None:
    """Wait for the view to be drawn, with the cursor's blink off (durations are fixed by `steady_durations`)."""
    app = pilot.app
    await settle(app, pilot)
    assert {round(call.duration_ms, 6) for call in app.screen.history.calls.values()} == {12.0}
    _no_blinking(app)
    view = app.screen.outcome_view.driver_view
    if isinstance(view, ChatView):
        await wait_until(pilot, lambda: not view.busy and markdown_source(view), what="the reply")
    await steady_screen(pilot)


def _no_blinking(app: Any) -> None:
    """A blinking cursor is drawn or not depending on the moment: stop every one (before focus moves)."""
    app.screen.editor.text_area.cursor_blink = False
    for field in app.screen.query(Input):
        field.cursor_blink = False


def _snapshot_of(calls: list[tuple[str, str, Any]], test_mode: bool = False):
    async def run_before(pilot) -> None:
        app = pilot.app
        await ready(app, pilot)
        _no_blinking(app)
        for interface, method, args in calls:
            app.screen.open_method(MethodRef(interface, method, None))
            app.screen.editor.text_area.load_text(json.dumps(args))
            if test_mode:
                app.screen.start_call(CallRequest(interface, method, args, test_mode=True))
            else:
                await pilot.press("f5")
            await settle(app, pilot)
        await _drawn(pilot)

    return run_before


def test_snapshot_chat_view(snap_compare, make_app, fixed_paths, steady_durations):
    app = make_app(origin_label=ORIGIN_LABEL)
    args = {"model": "fake", "messages": [{"role": "user", "content": "Say *hello*"}]}
    assert snap_compare(app, terminal_size=SIZE, run_before=_snapshot_of([("puter-chat-completion", "complete", args)]))


def test_snapshot_table_view(snap_compare, make_app, make_demo_server, fixed_paths, steady_durations):
    app = make_app(server=make_demo_server(), origin_label=ORIGIN_LABEL)  # an empty store of its own
    calls = [("puter-kvstore", "set", {"key": k, "value": v}) for k, v in (("apple", 3), ("pear", {"ripe": True}))]
    calls.append(("puter-kvstore", "list", {}))
    assert snap_compare(app, terminal_size=SIZE, run_before=_snapshot_of(calls))


def test_snapshot_image_view(snap_compare, make_app, make_demo_server, fixed_paths, steady_durations):
    app = make_app(server=make_demo_server(generation="v1"), origin_label=ORIGIN_LABEL)
    calls = [("puter-image-generation", "generate", {"prompt": "a lighthouse", "width": 48, "height": 32})]
    assert snap_compare(app, terminal_size=SIZE, run_before=_snapshot_of(calls))


def test_snapshot_audio_view(snap_compare, make_app, fixed_paths, steady_durations):
    app = make_app(origin_label=ORIGIN_LABEL)
    calls = [("puter-tts", "synthesize", {"text": "hello"})]
    assert snap_compare(app, terminal_size=SIZE, run_before=_snapshot_of(calls))


def test_snapshot_ocr_view(snap_compare, make_app, fixed_paths, steady_durations):
    app = make_app(origin_label=ORIGIN_LABEL)
    calls = [("puter-ocr", "recognize", {"source": "data:image/png;base64,iVBORw0KGgo="})]
    assert snap_compare(app, terminal_size=SIZE, run_before=_snapshot_of(calls, test_mode=True))


def test_snapshot_binary_view(snap_compare, make_app, fixed_paths, tmp_path):
    body = tmp_path / "blob.bin"
    body.write_bytes(b"\x00PUTER\xffbinary body\n" * 8)
    call = Call(key="blob", interface="test-drivers", method="blob", service=None, args={})
    exchange = Exchange("POST", "http://h/drivers/call", {}, "{}", status=200, duration_ms=12.0)
    call.finish(7, Binary(exchange, body, "application/x-demo", body.stat().st_size,
                          hashlib.sha256(body.read_bytes()).hexdigest(), "blob.bin"))

    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)
        _no_blinking(pilot.app)
        pilot.app.screen.history.add_call(call)
        await _drawn(pilot)

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
