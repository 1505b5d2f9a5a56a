"""`puter-chat-completion.complete` as a conversation: the messages sent, then the reply.

The reply is drawn as Markdown (server text with its control characters escaped; links are never
opened), its reasoning and tool calls set apart, the model and the usage under it. A stream is drawn
as it arrives, appending only what is new. A reply box under the transcript continues the conversation:
Enter posts `ContinueConversation`, which the main screen sends as a new call.

Reading the messages and the reply (whatever shape the server gives it) is in `explorer.driver_views.chat`,
which the CLI's `--view` uses too; this module only draws.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from ....driver_views.chat import (  # noqa: F401  (the reading of replies lives there; re-exported for the view's users)
    ChunkReader,
    Reply,
    Turn,
    continued_args,
    fits,
    missing_text,
    parse_reply,
    read_content,
    read_message,
    reply_of,
    transcript_turns,
    usage_text,
)
from ...calls import Call
from ....terminal_text import clean
from ....protocol.request import CallRequest
from .base import DriverView

if TYPE_CHECKING:
    from textual.widgets import Markdown


def _markdown_class() -> type[Markdown]:
    """Textual's Markdown, imported when a reply is first drawn: it brings a Markdown parser that the
    app's first frame does not need."""
    from textual.widgets import Markdown

    return Markdown

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
        widgets.append(_markdown_class()(clean(turn.text), open_links=False, classes="chat-text"))
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
    BINDINGS = [Binding("r", "reply", "Reply", show=True)]

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
    ChatView .chat-plain, ChatView #chat-no-text {
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
    ChatView Markdown > *:last-child {
        margin-bottom: 0;  /* the next role or the footer brings its own space */
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
        return fits(call)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="chat-log"):
            yield Vertical(id="chat-turns")
            with Vertical(id="chat-reply-section"):
                yield Static(Text("assistant", style=_role_style("assistant")), classes="chat-role", id="chat-reply-role")
                yield Static(classes="chat-reasoning", id="chat-reasoning")
                yield Static(id="chat-no-text")
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
            if call.stream is not None:  # what streamed in before this view was made (once it is mounted)
                self.call_after_refresh(self.flush_stream, call)
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
        missing = None if waiting else missing_text(reply)  # said in the text's place, not as an empty box
        no_text = self.query_one("#chat-no-text", Static)
        no_text.update(Text(missing or "", style="italic"))
        no_text.display = missing is not None
        self.query_one("#chat-reply-host", Vertical).display = missing is None
        footer = Text()
        if waiting:
            footer.append("receiving the reply…" if self._live else "waiting for the reply…", style="italic")
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
        for note in (n for n in reply.notes if n != missing):
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
                markdown = _markdown_class()(open_links=False, id="chat-reply")
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

    def action_reply(self) -> None:
        """r: straight to the reply box (instead of tabbing to it)."""
        self.query_one("#chat-input", Input).focus()

    def take_focus(self) -> None:
        self.action_reply()  # F7 from anywhere: the reply box is what a chat's view is for

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
