"""The chat driver: a fake model that answers from the last user message, whole or streamed."""

from __future__ import annotations

from typing import Any

from .base import Call, Driver, DriverFailure, Reply, StreamReply, bad_request

CHAT_MODELS: list[dict[str, Any]] = [
    {
        "id": model_id,
        "aliases": [],
        "costs_currency": "usd-cents",
        "costs": {"input-tokens": cost_in, "output-tokens": cost_out},
        "max_tokens": 8192,
        "provider": "fake-chat",
    }
    for model_id, cost_in, cost_out in (("abuse", 0, 0), ("costly", 1000, 2000), ("fake", 0, 0))
]
HIDDEN_MODELS = {"abuse", "costly", "fake"}  # v2 hides these from /puterai/chat/models
# The model that answers with a second opinion, so that two models can be compared offline. It is one real
# servers list too, and the demo has no chat service of its own: what the demo offers stays what real
# servers offer, so that a catalogue drift check finds nothing on it.
SECOND_MODEL = "costly"


class Chat(Driver):
    description = "Chatbot."

    def m_models(self, call: Call) -> Any:
        return [dict(m) for m in CHAT_MODELS]

    def m_list(self, call: Call) -> Any:
        return [m["id"] for m in CHAT_MODELS]

    def m_complete(self, call: Call) -> Any:
        args = call.args
        model = args.get("model")
        if model is None and (args.get("provider") == "fake-chat" or call.generation == "v1"):
            model = "fake"
        if model not in {m["id"] for m in CHAT_MODELS}:
            if call.generation == "v1":
                raise DriverFailure(
                    "field_invalid", f"Model not found, please try one of: {', '.join(self.m_list(call))}", 400,
                    {"key": "model", "got": model},
                )
            raise bad_request(f"Model not found: {'undefined' if model is None else model}")
        messages = args.get("messages")
        if not isinstance(messages, list):
            raise bad_request("`messages` must be an array")
        text = second_reply(messages, model) if model == SECOND_MODEL else fake_reply(messages)
        tokens_in = sum(len(str(m.get("content", "")).split()) for m in messages if isinstance(m, dict))
        usage: dict[str, Any] = {"input_tokens": tokens_in, "output_tokens": len(text.split())}
        if call.generation == "v2":
            usage["usd_cents"] = None
        if args.get("stream") is True:
            pieces = [{"type": "text", "text": piece} for piece in split_for_stream(text)]
            return StreamReply(pieces + [{"type": "usage", "usage": usage}])
        message = {
            "id": "00000000-0000-0000-0000-000000000000",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": dict(usage),
        }
        result = {"message": message, "usage": dict(usage), "finish_reason": "stop", "via_ai_chat_service": True}
        return Reply(result, {"service_used": "fake-chat", "providerUsed": "fake"})


def fake_reply(messages: list[Any]) -> str:
    said = _last_user_text(messages)
    return (
        "This is a fake answer from the demo server. "
        f"You wrote {len(said)} characters"
        + (f", starting with: {said[:60]}. " if said else ". ")
        + "Nothing here came from a language model. "
        "The demo server runs offline on your own machine, without any account. "
        "Use it to try the explorer before you connect to a real Puter server."
    )


def second_reply(messages: list[Any], who: str) -> str:
    said = _last_user_text(messages)
    return (
        f"Second opinion from {who}: your message has {len(said.split())} words. "
        "The demo server answers differently here on purpose, so that two answers can be compared."
    )


def _last_user_text(messages: list[Any]) -> str:
    last = next((m for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"), None)
    content = last.get("content") if last else None
    if isinstance(content, list):  # content parts
        content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return " ".join(str(content or "").split())[:200]


def split_for_stream(text: str, pieces: int = 6) -> list[str]:
    words = text.split(" ")
    size = max(1, -(-len(words) // pieces))
    groups = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    return [g + (" " if i < len(groups) - 1 else "") for i, g in enumerate(groups)]
