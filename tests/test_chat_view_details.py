"""The chat view's details: no empty usage fields, a streamed reply's model and usage where its chunks say
them, and a reply that is only tool calls or only reasoning read as such, in the CLI's text and in the TUI."""

from __future__ import annotations

import re
from typing import Any

from explorer.driver_views.chat import ChunkReader, Reply, missing_text, usage_text
from explorer.driver_views.text import render
from explorer.protocol.outcomes import Exchange, Result, Stream
from explorer.tui.calls import Call

CHAT_ARGS = {"model": "fake", "messages": [{"role": "user", "content": "weather in Paris?"}]}
TOOLS_ONLY = {"message": {"role": "assistant", "content": None, "tool_calls": [
    {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
    "finish_reason": "tool_calls", "usage": {"input_tokens": 9, "output_tokens": 4, "usd_cents": None}}
REASONING_ONLY = {"message": {"role": "assistant", "content": [{"type": "thinking", "thinking": "Paris is in France."}]},
                  "finish_reason": "length"}
STREAM_CHUNKS = [{"type": "text", "text": "Hi", "model": "gpt-5-nano"}, {"type": "text", "text": " there"},
                 {"type": "usage", "usage": {"input_tokens": 1, "output_tokens": 2, "usd_cents": None}}]


def _exchange() -> Exchange:
    return Exchange("POST", "http://h/drivers/call", {}, "{}", status=200)


def chat_call(outcome: Any, key: str = "c") -> Call:
    call = Call(key=key, interface="puter-chat-completion", method="complete", service=None, args=CHAT_ARGS)
    call.finish(None, outcome)
    return call


def test_usage_leaves_out_what_the_server_left_empty():
    assert usage_text({"input_tokens": 2, "output_tokens": 50, "usd_cents": None}) == "input_tokens 2 · output_tokens 50"
    assert "null" not in usage_text({"usd_cents": None})


def test_a_stream_gives_its_model_and_usage_where_its_chunks_say_them():
    reply = Reply("assistant", "")
    reader = ChunkReader(reply)
    added = reader.take(STREAM_CHUNKS)
    assert added == "Hi there" and reply.model == "gpt-5-nano"
    assert usage_text(reply.usage) == "input_tokens 1 · output_tokens 2"


def test_the_cli_prints_a_streamed_reply_with_its_model_and_no_null_usage():
    text = render(chat_call(Stream(_exchange(), chunks=STREAM_CHUNKS, text="Hi there")), 80)
    assert re.search(r"^model: +gpt-5-nano$", text, re.M)
    assert re.search(r"^usage: +input_tokens 1 · output_tokens 2$", text, re.M)
    assert "null" not in text and "usd_cents" not in text


def test_the_cli_says_a_reply_is_only_tool_calls_or_only_reasoning():
    tools = render(chat_call(Result(_exchange(), value=TOOLS_ONLY)), 80)
    reply = tools.split("── assistant")[1]
    assert "tool call get_weather({\"city\": \"Paris\"})" in reply
    assert "note: no text: the reply is tool calls only" in reply.splitlines()
    assert "null" not in tools and "usd_cents" not in tools
    reasoning = render(chat_call(Result(_exchange(), value=REASONING_ONLY)), 80)
    reply = reasoning.split("── assistant")[1]
    assert "  │ Paris is in France." in reply.splitlines()
    assert "note: no text: the reply is reasoning only" in reply.splitlines()
    spoken = render(chat_call(Result(_exchange(), value={"message": {"role": "assistant", "content": "Sunny."}})), 80)
    assert "no text" not in spoken


def test_missing_text_names_what_the_reply_has_instead():
    assert missing_text(Reply("assistant", "", tools=["f({})"], reasoning="hm")) == \
        "no text: the reply is tool calls and reasoning only"
    assert missing_text(Reply("assistant", "")) == "no text: the reply is empty"
    assert missing_text(Reply("assistant", "", notes=["the answer is too large to read here"])) is None
    assert missing_text(Reply("assistant", "ok", tools=["f({})"])) is None
