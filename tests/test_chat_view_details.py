"""The chat view's details: no empty usage fields, and a streamed reply's model where its chunks say it."""

from __future__ import annotations

from explorer.driver_views.chat import ChunkReader, Reply, usage_text


def test_usage_leaves_out_what_the_server_left_empty():
    assert usage_text({"input_tokens": 2, "output_tokens": 50, "usd_cents": None}) == "input_tokens 2 · output_tokens 50"
    assert "null" not in usage_text({"usd_cents": None})


def test_a_stream_gives_its_model_and_usage_where_its_chunks_say_them():
    reply = Reply("assistant", "")
    reader = ChunkReader(reply)
    added = reader.take([{"type": "text", "text": "Hi", "model": "gpt-5-nano"}, {"type": "text", "text": " there"},
                         {"type": "usage", "usage": {"input_tokens": 1, "output_tokens": 2, "usd_cents": None}}])
    assert added == "Hi there" and reply.model == "gpt-5-nano"
    assert usage_text(reply.usage) == "input_tokens 1 · output_tokens 2"
