"""A `puter-chat-completion.complete` call as a conversation: the messages sent, and the reply.

Result shapes differ between servers and providers; `parse_reply` reads the Puter one (`{message:
{role, content}, usage, finish_reason}`, content a string or a list of parts) and the OpenAI-like ones
(`choices`, `output`) that a provider's answer may come in. A stream is read chunk by chunk (`ChunkReader`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..protocol.outcomes import Result, Stream
from ..terminal_text import clean
from .answers import compact_json, is_method

STREAM_HEAD_BYTES = 4 * 1024 * 1024  # how much of a stored stream is read back to show its reply

MAX_TURNS = 50  # messages of the conversation shown (the latest ones)
TOOL_INPUT_CHARS = 300


# -- reading messages and replies ---------------------------------------------------------------


@dataclass
class Turn:
    role: str
    text: str = ""
    reasoning: str = ""
    tools: list[str] = field(default_factory=list)


@dataclass
class Reply(Turn):
    model: str | None = None
    usage: Any = None
    finish: str | None = None
    service: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    message: dict[str, Any] | None = None  # the assistant message to send back when the conversation goes on


def _tool_line(name: Any, arguments: Any) -> str:
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            pass
    return f"{name or '?'}({compact_json(arguments if arguments is not None else {}, TOOL_INPUT_CHARS)})"


def read_content(content: Any, turn: Turn) -> None:
    """Add a message's content (a string, or a list of parts) to `turn`."""
    if content is None:
        return
    if isinstance(content, str):
        turn.text += content
        return
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        turn.text += compact_json(content)
        return
    texts: list[str] = []
    for part in content:
        if isinstance(part, str):
            texts.append(part)
            continue
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind in ("text", "output_text", "input_text") or (kind is None and isinstance(part.get("text"), str)):
            texts.append(str(part.get("text") or ""))
        elif kind == "thinking":
            turn.reasoning += str(part.get("thinking") or "")
        elif kind == "reasoning":
            turn.reasoning += str(part.get("reasoning") or part.get("text") or "")
        elif kind == "redacted_thinking":
            turn.reasoning += "[redacted reasoning]"
        elif kind in ("tool_use", "function_call"):
            turn.tools.append(_tool_line(part.get("name"), part.get("input", part.get("arguments"))))
        elif kind in ("tool_result", "function_call_output"):
            inner = Turn("tool")
            read_content(part.get("content", part.get("output")), inner)
            texts.append(f"[tool result {part.get('tool_use_id') or part.get('call_id') or ''}]".replace(" ]", "]")
                         + (f" {inner.text}" if inner.text else ""))
        else:
            texts.append(f"[{kind or 'part'}]")
    turn.text += "\n\n".join(t for t in texts if t)


def read_message(message: Any) -> Turn:
    """One message of `args.messages` (or of a reply) as a turn."""
    if not isinstance(message, dict):
        return Turn("?", compact_json(message))
    turn = Turn(str(message.get("role") or "?"))
    read_content(message.get("content"), turn)
    for name in ("reasoning", "reasoning_content"):
        if isinstance(message.get(name), str):
            turn.reasoning += message[name]
    for call in message.get("tool_calls") or []:
        if isinstance(call, dict):
            function = call.get("function") if isinstance(call.get("function"), dict) else call
            turn.tools.append(_tool_line(function.get("name"), function.get("arguments", function.get("input"))))
    if isinstance(message.get("refusal"), str) and message["refusal"]:
        turn.text += ("\n\n" if turn.text else "") + "[refused] " + message["refusal"]
    return turn


def _reply_from_turn(turn: Turn, **extra: Any) -> Reply:
    return Reply("assistant", turn.text, turn.reasoning, turn.tools, **extra)


def parse_reply(value: Any) -> Reply:
    """The reply in a `complete` result, whatever its shape."""
    if isinstance(value, str):
        return Reply("assistant", value, message={"role": "assistant", "content": value})
    if not isinstance(value, dict):
        return Reply("assistant", compact_json(value), notes=["the result is not a chat reply"])
    if isinstance(value.get("message"), dict):  # Puter: {message, usage, finish_reason}
        message = value["message"]
        return _reply_from_turn(
            read_message(message),
            model=message.get("model") or value.get("model"),
            usage=value.get("usage") or message.get("usage"),
            finish=value.get("finish_reason") or message.get("stop_reason"),
            message=_send_back(message),
        )
    if isinstance(value.get("choices"), list) and value["choices"]:  # OpenAI chat completions
        choice = value["choices"][0] if isinstance(value["choices"][0], dict) else {}
        message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        return _reply_from_turn(read_message(message), model=value.get("model"), usage=value.get("usage"),
                                finish=choice.get("finish_reason"), message=_send_back(message))
    if isinstance(value.get("output"), list):  # OpenAI responses
        turn = Turn("assistant")
        for item in value["output"]:
            if not isinstance(item, dict):
                continue
            if item.get("type") == "message":
                read_content(item.get("content"), turn)
            elif item.get("type") == "reasoning":
                summary = item.get("summary") or []
                turn.reasoning += "\n".join(str(s.get("text", "")) for s in summary if isinstance(s, dict))
            elif item.get("type") in ("function_call", "tool_use"):
                turn.tools.append(_tool_line(item.get("name"), item.get("arguments", item.get("input"))))
        if not turn.text and isinstance(value.get("output_text"), str):
            turn.text = value["output_text"]
        return _reply_from_turn(turn, model=value.get("model"), usage=value.get("usage"),
                                finish=value.get("status"), message={"role": "assistant", "content": turn.text})
    if "content" in value or "role" in value:  # a bare message
        return _reply_from_turn(read_message(value), model=value.get("model"), usage=value.get("usage"),
                                finish=value.get("stop_reason"), message=_send_back(value))
    if isinstance(value.get("text"), str):
        return Reply("assistant", value["text"], usage=value.get("usage"),
                     message={"role": "assistant", "content": value["text"]})
    return Reply("assistant", compact_json(value), notes=["the result is not a chat reply"])


def _send_back(message: dict[str, Any]) -> dict[str, Any]:
    """The reply as a message of the next call: role and content (and tool calls), not the server's bookkeeping."""
    sent: dict[str, Any] = {"role": "assistant", "content": message.get("content", "")}
    if message.get("tool_calls"):
        sent["tool_calls"] = message["tool_calls"]
    return sent


class ChunkReader:
    """Reads stream chunks into a reply; returns the text each batch adds (to append to what is shown)."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply

    def take(self, chunks: list[Any]) -> str:
        added: list[str] = []
        for chunk in chunks:
            if not isinstance(chunk, dict):
                continue
            kind = chunk.get("type")
            if isinstance(chunk.get("model"), str) and not self.reply.model:  # where a chunk names its model
                self.reply.model = chunk["model"]
            if kind == "text" and isinstance(chunk.get("text"), str):
                added.append(chunk["text"])
            elif kind == "reasoning":
                self.reply.reasoning += str(chunk.get("reasoning") or chunk.get("text") or "")
            elif kind == "tool_use":
                self.reply.tools.append(_tool_line(chunk.get("name"), chunk.get("input")))
            elif kind == "usage":
                self.reply.usage = chunk.get("usage")
            elif kind == "error":
                self.reply.error = str(chunk.get("message") or chunk)
        text = "".join(added)
        self.reply.text += text
        return text


def stream_chunks(path: Any) -> list[Any]:
    """The chunks of a saved stream body (one JSON document per line), from its first STREAM_HEAD_BYTES."""
    if not path:
        return []
    try:
        with open(path, "rb") as handle:
            raw = handle.read(STREAM_HEAD_BYTES)
    except OSError:
        return []
    chunks = []
    for line in raw.decode("utf-8", "replace").splitlines():
        if line.strip():
            try:
                chunks.append(json.loads(line))
            except ValueError:
                pass
    return chunks


def reply_of(answer: Any) -> Reply | None:
    """The reply of a finished call (None while it is in flight). Reads stored bodies: call it in a thread."""
    reply = _read_reply(answer)
    if reply is not None:
        missing = missing_text(reply)
        if missing:
            reply.notes.insert(0, missing)
    return reply


NO_TEXT = "no text: "


def missing_text(reply: Reply) -> str | None:
    """A line for a finished reply without text (only tool calls or reasoning), so it does not read as blank."""
    if reply.text.strip():
        return None
    if reply.tools and reply.reasoning:
        return NO_TEXT + "the reply is tool calls and reasoning only"
    if reply.tools:
        return NO_TEXT + "the reply is tool calls only"
    if reply.reasoning:
        return NO_TEXT + "the reply is reasoning only"
    if reply.error or any(not note.startswith(NO_TEXT) for note in reply.notes):
        return None  # they already say why
    return NO_TEXT + "the reply is empty"


def _read_reply(answer: Any) -> Reply | None:
    outcome = answer.outcome
    if isinstance(outcome, Result):
        if outcome.saved_path is not None:
            return Reply("assistant", notes=["the answer is too large to read here: see the result"])
        reply = parse_reply(outcome.value)
        reply.service = outcome.metadata.get("service_used") or outcome.service_name
        if outcome.metadata.get("usage_limited"):
            reply.notes.append("usage limited: the server answered with its usage-limited model")
        return reply
    if isinstance(outcome, Stream):
        return _stream_reply(outcome.chunks, outcome.chunk_count, outcome.text, outcome.text_chars,
                             outcome.saved_path, outcome.error, outcome.complete)
    entry = answer.entry if outcome is None else None
    if entry is not None and entry.kind == "result" and isinstance(entry.result_inline, str):
        try:
            return parse_reply(json.loads(entry.result_inline))
        except ValueError:
            return Reply("assistant", notes=["the stored result is not JSON: see the result"])
    if entry is not None and entry.kind == "stream":
        chunks = stream_chunks(entry.body_path)
        reply = Reply("assistant")
        ChunkReader(reply).take(chunks)
        if not reply.text and isinstance(entry.result_inline, str):
            reply.text = entry.result_inline
        reply.message = {"role": "assistant", "content": reply.text}
        return reply
    return None


def _stream_reply(chunks: list[Any], count: int, text: str, chars: int, saved: Any, error: Any, complete: bool) -> Reply:
    if count > len(chunks) and saved:  # memory kept the last chunks only: the file has them all
        chunks = stream_chunks(saved)
    reply = Reply("assistant")
    ChunkReader(reply).take(chunks)
    if len(reply.text) < chars and len(text) > len(reply.text):
        reply.text = text  # what the stream kept in memory is more than the chunks could be read
    if chars > len(reply.text):
        reply.notes.append(f"only the last {len(reply.text)} of {chars} characters of the reply are shown")
    else:
        reply.message = {"role": "assistant", "content": reply.text}
    reply.error = reply.error or error
    if not complete:
        reply.notes.append("the stream did not end properly")
    return reply


def transcript_turns(args: Any) -> tuple[list[Turn], int]:
    """The messages sent, as turns (the latest MAX_TURNS), and how many earlier ones are left out."""
    messages = args.get("messages") if isinstance(args, dict) else None
    if not isinstance(messages, list):
        return [], 0
    shown = messages[-MAX_TURNS:]
    return [read_message(m) for m in shown], len(messages) - len(shown)


def continued_args(args: Any, reply: dict[str, Any], text: str) -> dict[str, Any]:
    """The args of the next call: the same, with the reply and the new user message added to `messages`."""
    new = dict(args) if isinstance(args, dict) else {}
    messages = list(new.get("messages")) if isinstance(new.get("messages"), list) else []
    new["messages"] = [*messages, reply, {"role": "user", "content": text}]
    return new


def usage_text(usage: Any) -> str:
    """`input_tokens 2 · output_tokens 50`; a field the server left empty (null) says nothing and is left out."""
    if isinstance(usage, dict):
        return " · ".join(f"{clean(k, single_line=True)} {compact_json(v, 40)}" for k, v in usage.items()
                          if v is not None)
    return compact_json(usage, 200) if usage is not None else ""


def fits(answer: Any) -> bool:
    """A chat completion that is on its way, or whose answer can be read as a reply."""
    if not is_method(answer, "puter-chat-completion", "complete"):
        return False
    if answer.outcome is None and answer.entry is None:
        return answer.kind == "pending"
    if isinstance(answer.outcome, Stream):
        return True
    if isinstance(answer.outcome, Result):
        return answer.outcome.saved_path is None
    return answer.outcome is None and answer.kind in ("result", "stream")
