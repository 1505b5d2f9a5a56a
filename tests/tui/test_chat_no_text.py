"""The chat view in the TUI: a reply without text says so in the text's place; a stream's model and usage."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from explorer.protocol.outcomes import Result, Stream
from explorer.tui.views.drivers import ChatView

from ..test_chat_view_details import REASONING_ONLY, STREAM_CHUNKS, TOOLS_ONLY, _exchange, chat_call
from .conftest import SIZE, ready, settle, wait_until


def _plain(widget: Any) -> str:
    content = widget.content if hasattr(widget, "content") else widget.render()
    return content.plain if isinstance(content, Text) else str(content)


async def _shown(app: Any, pilot: Any, screen: Any, call: Call) -> ChatView:
    screen.outcome_view.show(call)
    await settle(app, pilot)
    view = screen.outcome_view.driver_view
    assert isinstance(view, ChatView)
    await wait_until(pilot, lambda: not view.busy and view.reply is not None, what="the reply")
    return view


async def test_the_tui_shows_a_line_in_place_of_a_reply_without_text(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        view = await _shown(app, pilot, screen, chat_call(Result(_exchange(), value=TOOLS_ONLY), "tools"))
        no_text = view.query_one("#chat-no-text")
        assert no_text.display and _plain(no_text) == "no text: the reply is tool calls only"
        assert not view.query_one("#chat-reply-host").display  # no empty box where the text would be
        assert 'tool call get_weather({"city": "Paris"})' == _plain(view.query_one("#chat-tools"))
        footer = _plain(view.query_one("#chat-footer"))
        assert "no text" not in footer  # said once, in the text's place
        assert "usage: input_tokens 9 · output_tokens 4" in footer and "null" not in footer

        view = await _shown(app, pilot, screen, chat_call(Result(_exchange(), value=REASONING_ONLY), "thinking"))
        assert _plain(view.query_one("#chat-no-text")) == "no text: the reply is reasoning only"
        assert _plain(view.query_one("#chat-reasoning")) == "Paris is in France."

        empty = {"message": {"role": "assistant", "content": ""}, "finish_reason": "stop"}
        view = await _shown(app, pilot, screen, chat_call(Result(_exchange(), value=empty), "empty"))
        assert _plain(view.query_one("#chat-no-text")) == "no text: the reply is empty"
        assert not view.query_one("#chat-reply-host").display and "no text" not in _plain(view.query_one("#chat-footer"))

        view = await _shown(app, pilot, screen, chat_call(Stream(_exchange(), chunks=STREAM_CHUNKS, text="Hi there"),
                                                          "stream"))
        assert not view.query_one("#chat-no-text").display and view.query_one("#chat-reply-host").display
        await wait_until(pilot, lambda: view.reply_markdown is not None and view.reply_markdown.source == "Hi there",
                         what="the streamed text")
        footer = _plain(view.query_one("#chat-footer"))
        assert "model: gpt-5-nano" in footer and "usage: input_tokens 1 · output_tokens 2" in footer
        assert "null" not in footer
