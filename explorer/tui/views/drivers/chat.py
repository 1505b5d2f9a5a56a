"""`puter-chat-completion.complete` as a conversation: the messages sent, then the reply.

The reply is drawn as Markdown (server text with its control characters escaped; links are never
opened), its reasoning and tool calls set apart, the model and the usage under it. A stream is drawn
as it arrives, appending only what is new. A reply box under the transcript continues the conversation:
Enter posts `ContinueConversation`, which the main screen sends as a new call.

Result shapes differ between servers and providers; `parse_reply` reads the Puter one (`{message:
{role, content}, usage, finish_reason}`, content a string or a list of parts) and the OpenAI-like ones
(`choices`, `output`) that a provider's answer may come in.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Markdown, Static
from textual.worker import get_current_worker

from ...calls import Call
from ...safe import clean
from ....protocol.outcomes import Result, Stream
from ....protocol.request import CallRequest
from ..render import entry_chunks, read_head, STREAM_HEAD_BYTES
from .base import DriverView, compact_json, is_method

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


def _file_chunks(path: Any) -> list[Any]:
    chunks = []
    for line in read_head(path, STREAM_HEAD_BYTES).decode("utf-8", "replace").splitlines():
        if line.strip():
            try:
                chunks.append(json.loads(line))
            except ValueError:
                pass
    return chunks


def reply_of(call: Call) -> Reply | None:
    """The reply of a finished call (None while it is in flight). Reads stored bodies: call it in a thread."""
    outcome = call.outcome
    if isinstance(outcome, Result):
        if outcome.saved_path is not None:
            return Reply("assistant", notes=["the answer is too large to read here: see the Result tab"])
        reply = parse_reply(outcome.value)
        reply.service = outcome.metadata.get("service_used") or outcome.service_name
        if outcome.metadata.get("usage_limited"):
            reply.notes.append("usage limited: the server answered with its usage-limited model")
        return reply
    if isinstance(outcome, Stream):
        return _stream_reply(outcome.chunks, outcome.chunk_count, outcome.text, outcome.text_chars,
                             outcome.saved_path, outcome.error, outcome.complete)
    entry = call.entry if outcome is None else None
    if entry is not None and entry.kind == "result" and isinstance(entry.result_inline, str):
        try:
            return parse_reply(json.loads(entry.result_inline))
        except ValueError:
            return Reply("assistant", notes=["the stored result is not JSON: see the Result tab"])
    if entry is not None and entry.kind == "stream":
        chunks = entry_chunks(entry)
        reply = Reply("assistant")
        ChunkReader(reply).take(chunks)
        if not reply.text and isinstance(entry.result_inline, str):
            reply.text = entry.result_inline
        reply.message = {"role": "assistant", "content": reply.text}
        return reply
    return None


def _stream_reply(chunks: list[Any], count: int, text: str, chars: int, saved: Any, error: Any, complete: bool) -> Reply:
    if count > len(chunks) and saved:  # memory kept the last chunks only: the file has them all
        chunks = _file_chunks(saved)
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
    if isinstance(usage, dict):
        return " · ".join(f"{clean(k, single_line=True)} {compact_json(v, 40)}" for k, v in usage.items())
    return compact_json(usage, 200) if usage is not None else ""


# -- the message the main screen handles -------------------------------------------------------------


class ContinueConversation(Message):
    """The user answered a chat reply: send `request()` as a new call, with `replay_of` as its origin.

    `args` are the previous args with `messages` extended by the assistant's reply and the new user message.
    """

    def __init__(self, call: Call, args: dict[str, Any], text: str) -> None:
        super().__init__()
        self.call = call  # the call whose reply is answered
        self.interface = call.interface
        self.method = call.method
        self.service = call.service
        self.test_mode = call.test_mode
        self.args = args
        self.text = text  # what the user wrote
        self.replay_of = call.entry_id  # the history entry this call continues (None if it was not recorded)
        self.previous_entry_id = call.entry_id

    def request(self) -> CallRequest:
        return CallRequest(
            interface=self.interface, method=self.method, args=self.args, service=self.service, test_mode=self.test_mode
        )


# -- the view ---------------------------------------------------------------------------------


def turn_widgets(turn: Turn) -> list[Any]:
    widgets: list[Any] = [Static(Text(clean(turn.role, single_line=True), style=_role_style(turn.role)),
                                 classes="chat-role")]
    if turn.reasoning:
        widgets.append(Static(Text(clean(turn.reasoning)), classes="chat-reasoning"))
    if turn.role == "assistant" and turn.text:
        widgets.append(Markdown(clean(turn.text), open_links=False, classes="chat-text"))
    elif turn.text:
        widgets.append(Static(Text(clean(turn.text)), classes="chat-text chat-plain"))
    if turn.tools:
        widgets.append(Static(_tools_text(turn.tools), classes="chat-tools"))
    return widgets


def _role_style(role: str) -> str:
    return {"user": "bold cyan", "assistant": "bold green", "system": "bold magenta"}.get(role, "bold yellow")


def _tools_text(tools: list[str]) -> Text:
    text = Text()
    for line in tools:
        if text:
            text.append("\n")
        text.append("tool call ", style="bold yellow")
        text.append(clean(line, single_line=True))
    return text


@dataclass
class Loaded:
    turns: list[Turn]
    left_out: int
    reply: Reply | None
    text: str = ""  # the reply's text as shown (controls escaped)


class ChatView(DriverView):
    DEFAULT_CSS = """
    ChatView #chat-log {
        height: 1fr;
    }
    ChatView #chat-turns, ChatView #chat-reply-section, ChatView #chat-reply-host {
        height: auto;
    }
    ChatView .chat-role {
        padding: 1 1 0 1;
    }
    ChatView .chat-plain {
        padding: 0 1 0 3;
    }
    ChatView Markdown {
        padding: 0 1 0 3;
        margin: 0;
    }
    ChatView .chat-reasoning {
        margin: 0 1 0 3;
        padding: 0 1;
        border-left: outer $secondary;
        color: $text-muted;
        text-style: italic;
    }
    ChatView .chat-tools {
        padding: 0 1 0 3;
    }
    ChatView #chat-footer {
        padding: 1 1 0 1;
        color: $text-muted;
    }
    ChatView #chat-input {
        dock: bottom;
    }
    """

    def __init__(self, call: Call) -> None:
        super().__init__(call)
        self.reply: Reply | None = None  # what is shown of the reply (live or finished)
        self._live = False  # the reply is being drawn from a stream as it arrives
        self._chunks_seen = 0
        self._shown_chars = 0  # characters of reply text given to the Markdown widget
        self._turns_for: Any = None  # the args whose messages are shown
        self._ops: deque[tuple[str, str]] = deque()  # what the reply Markdown still has to do, in order
        self._draining = False
        self._markdown: Markdown | None = None

    @classmethod
    def matches(cls, call: Call) -> bool:
        if not is_method(call, "puter-chat-completion", "complete"):
            return False
        if call.outcome is None and call.entry is None:
            return call.kind == "pending"
        if isinstance(call.outcome, Stream):
            return True
        if isinstance(call.outcome, Result):
            return call.outcome.saved_path is None
        return call.outcome is None and call.kind in ("result", "stream")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="chat-log"):
            yield Vertical(id="chat-turns")
            with Vertical(id="chat-reply-section"):
                yield Static(Text("assistant", style=_role_style("assistant")), classes="chat-role", id="chat-reply-role")
                yield Static(classes="chat-reasoning", id="chat-reasoning")
                yield Vertical(id="chat-reply-host")
                yield Static(classes="chat-tools", id="chat-tools")
                yield Static(id="chat-footer")
        yield Input(placeholder="reply… (Enter sends it)", id="chat-input")

    # -- what is shown -------------------------------------------------------------------------

    @property
    def reply_markdown(self) -> Markdown | None:
        return self._markdown

    @property
    def busy(self) -> bool:
        return self._draining or any(w.node is self and not w.is_finished for w in self.workers)

    def refresh_view(self) -> None:
        call = self.call
        if call.outcome is None and call.entry is None:  # in flight
            if not self._live:
                self._show_reply_parts(Reply("assistant"), waiting=True)
            if call.stream is not None:
                self.flush_stream(call)
        self._load(call)

    @work(thread=True, exclusive=True, group="chat-view", exit_on_error=False, description="read the conversation")
    def _load(self, call: Call) -> None:
        turns, left_out = transcript_turns(call.args)
        reply = reply_of(call)
        if not get_current_worker().is_cancelled:
            text = clean(reply.text) if reply is not None else ""
            self.app.call_from_thread(self._apply, call, Loaded(turns, left_out, reply, text))

    def _apply(self, call: Call, loaded: Loaded) -> None:
        if not self.alive() or call is not self.call:
            return
        if self._turns_for is not call.args:
            self._turns_for = call.args
            box = self.query_one("#chat-turns", Vertical)
            box.remove_children()
            widgets: list[Any] = []
            if loaded.left_out:
                widgets.append(Static(Text(f"… {loaded.left_out} earlier messages", style="dim"), classes="chat-role"))
            for turn in loaded.turns:
                widgets.extend(turn_widgets(turn))
            box.mount_all(widgets)
        reply = loaded.reply
        if reply is None:
            return
        text = loaded.text
        if not (self._live and len(text) == self._shown_chars):  # what streamed in is not the whole reply
            self._queue("set", text)
            self._shown_chars = len(text)
        if not self._live:
            self._queue("scroll", "")  # to the start of the reply, once it is drawn
        self._live = False
        self._show_reply_parts(reply)

    def _show_reply_parts(self, reply: Reply, *, waiting: bool = False) -> None:
        """Everything of the reply but its text: reasoning, tool calls, model and usage."""
        self.reply = reply
        reasoning = self.query_one("#chat-reasoning", Static)
        reasoning.update(Text(clean(reply.reasoning)))
        reasoning.display = bool(reply.reasoning)
        tools = self.query_one("#chat-tools", Static)
        tools.update(_tools_text(reply.tools))
        tools.display = bool(reply.tools)
        footer = Text()
        if waiting:
            footer.append("waiting for the reply…", style="italic")
        for label, value in (
            ("model", reply.model), ("usage", usage_text(reply.usage)), ("finish", reply.finish),
            ("service", reply.service),
        ):
            if value:
                if footer:
                    footer.append("\n")
                footer.append(f"{label}: ", style="bold")
                footer.append(clean(str(value)))
        if reply.error:
            footer.append(("\n" if footer else "") + "error: ", style="bold red")
            footer.append(clean(reply.error), style="red")
        for note in reply.notes:
            footer.append(("\n" if footer else "") + clean(note), style="yellow")
        self.query_one("#chat-footer", Static).update(footer)

    # -- a stream as it arrives ----------------------------------------------------------------

    def flush_stream(self, call: Call) -> None:
        tail = call.stream
        if call is not self.call or tail is None or call.outcome is not None or not self.is_mounted:
            return  # (a view not mounted yet catches up in refresh_view)
        new = tail.chunk_count - self._chunks_seen
        if self._live and new <= 0:
            return
        kept = list(tail.chunks)
        if not self._live or new > len(kept):  # the first chunks, or fell behind what the tail keeps
            self.reply = Reply("assistant")
            ChunkReader(self.reply).take(kept)
            self.reply.text = tail.text
            text = clean(tail.text)
            self._queue("set", text)
            self._shown_chars = len(text)
            if not self._live:
                self.query_one("#chat-log", VerticalScroll).anchor()
            self._live = True
        else:
            assert self.reply is not None
            added = clean(ChunkReader(self.reply).take(kept[-new:]))
            if added:
                self._queue("append", added)
                self._shown_chars += len(added)
        self._chunks_seen = tail.chunk_count
        self._show_reply_parts(self.reply, waiting=True)

    def _queue(self, op: str, text: str) -> None:
        if op == "set":
            self._ops.clear()  # a new whole text makes what was queued before it moot
        self._ops.append((op, text))
        if not self._draining:
            self._draining = True
            self.run_worker(self._drain(), group="chat-render", exit_on_error=False, description="draw the reply")

    async def _drain(self) -> None:
        try:
            if self._markdown is None:
                markdown = Markdown(open_links=False, id="chat-reply")
                await self.query_one("#chat-reply-host", Vertical).mount(markdown)  # its own first update done
                self._markdown = markdown
            while self._ops:
                op, text = self._ops.popleft()
                while op == "append" and self._ops and self._ops[0][0] == "append":  # one append for many flushes
                    text += self._ops.popleft()[1]
                if op == "set":
                    await self._markdown.update(text)
                elif op == "append":
                    await self._markdown.append(text)
                else:
                    await self._scroll_to_reply()
        finally:
            self._draining = False  # no await between the last check of _ops and here

    async def _scroll_to_reply(self) -> None:
        log = self.query_one("#chat-log", VerticalScroll)
        section = self.query_one("#chat-reply-section")
        done = asyncio.Event()
        self.call_after_refresh(done.set)  # the reply's new size is laid out first
        try:
            await asyncio.wait_for(done.wait(), 1.0)
        except asyncio.TimeoutError:
            pass
        log.scroll_to_widget(section, top=True, animate=False, immediate=True)

    # -- continuing the conversation -----------------------------------------------------------

    @on(Input.Submitted, "#chat-input")
    def _reply_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            return
        message = self.reply.message if self.reply is not None and not self._live else None
        if message is None:
            why = "wait for the reply" if self.call.kind == "pending" else "this reply cannot be sent back whole"
            self.notify(f"Not sent: {why}.", severity="warning", markup=False)
            return
        event.input.value = ""
        self.post_message(ContinueConversation(self.call, continued_args(self.call.args, message, text), text))
