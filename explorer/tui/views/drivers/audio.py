"""Audio: a binary `audio/*` answer (text to speech, voice changing), or the `{url, content_type}` of test mode.

For WAV: duration, sample rate, channels, bits and a waveform drawn in block characters, read in a thread
by `explorer.driver_views.audio` (which the CLI's `--view` uses too). For other formats (mp3, ogg) only
what the answer says: type and size.
**o** plays it with the system's player, where there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.segment import Segment
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from ....driver_views import audio as shared
from ....driver_views.audio import (  # noqa: F401  (re-exported: reading WAV files lives there)
    BLOCKS,
    AudioFacts,
    fit,
    fits,
    is_wav,
    read_wav,
    waveform_rows,
)
from ...calls import Call
from ..render import fields
from .actions import BinaryActions, BinaryDriverView
from .base import BinarySource, shown_path


class Waveform(Widget):
    """The loudness of the audio across its duration, drawn to the width it has."""

    DEFAULT_CSS = """
    Waveform {
        height: 3;
        color: $accent;
    }
    """

    def __init__(self, peaks: list[float], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.peaks = peaks

    def render_line(self, y: int) -> Strip:
        lines = waveform_rows(self.peaks, self.size.width, self.size.height)
        if y >= len(lines):
            return Strip.blank(self.size.width)
        return Strip([Segment(lines[y], self.rich_style)], self.size.width)

    @property
    def text(self) -> str:
        return "\n".join(waveform_rows(self.peaks, self.size.width, self.size.height))


@dataclass
class Heard:
    """What the worker made of an audio answer, ready to show."""

    facts: Text
    source: BinarySource | None = None
    audio: AudioFacts | None = None
    note: str = ""


def listen(call: Call) -> Heard:
    """Read the audio answer of `call` (in a thread)."""
    heard = shared.listen(call)
    pairs = [(label, shown_path(value) if isinstance(value, Path) else value) for label, value in heard.facts]
    note = heard.note
    if note == "only WAV audio is measured here":
        note += "; play it (o) to hear it"
    return Heard(fields(*pairs), heard.source, heard.audio, note)


class AudioView(BinaryDriverView):
    BINDINGS = [Binding("o", "open_binary", "Play", show=True)]  # as its button says
    DEFAULT_CSS = """
    AudioView #audio-facts, AudioView #audio-note {
        height: auto;
        padding: 0 1;
    }
    AudioView #audio-note {
        color: $warning;
    }
    AudioView Waveform {
        margin: 1 1 0 1;
    }
    """

    @classmethod
    def matches(cls, call: Call) -> bool:
        return fits(call)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("reading…", style="dim"), id="audio-facts")
            yield Waveform([], id="waveform")
            yield BinaryActions(open_label="Play", opener_noun="player")
            yield Static(id="audio-note")

    def refresh_view(self) -> None:
        self.actions.set_source(None)
        self.query_one(Waveform).display = False
        self._listen(self.call)

    @work(thread=True, exclusive=True, group="audio-view", exit_on_error=False, description="read the audio")
    def _listen(self, call: Call) -> None:
        heard = listen(call)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._apply, heard)

    def _apply(self, heard: Heard) -> None:
        if not self.alive():
            return
        self.query_one("#audio-facts", Static).update(heard.facts)
        note = self.query_one("#audio-note", Static)
        note.update(Text(heard.note))
        note.display = bool(heard.note)
        self.actions.set_source(heard.source)
        self.actions.display = heard.source is not None
        waveform = self.query_one(Waveform)
        waveform.peaks = heard.audio.peaks if heard.audio else []
        waveform.display = heard.audio is not None
        waveform.refresh()
