"""Audio: a binary `audio/*` answer (text to speech, voice changing), or the `{url, content_type}` of test mode.

For WAV: duration, sample rate, channels, bits and a waveform drawn in block characters, read with the
standard `wave` module in a thread. For other formats (mp3, ogg) only what the answer says: type and size.
**o** plays it with the system's player, where there is one.
"""

from __future__ import annotations

import math
import sys
import wave
from array import array
from dataclasses import dataclass, field
from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from ...calls import Call
from ...safe import clean
from ..render import human_size
from .actions import BinaryActions, BinaryDriverView
from .base import (
    BinarySource,
    binary_source,
    content_type_of,
    facts,
    has_json_result,
    is_binary,
    is_method,
    result_value,
    shown_path,
)

PEAK_BINS = 512  # loudness is measured in this many slices of the file, then fitted to the width shown
WINDOW_FRAMES = 4096  # frames read from each slice at most: a long file costs no more than a short one
BLOCKS = " ▁▂▃▄▅▆▇█"
WAVE_TYPES = {"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"}


@dataclass
class AudioFacts:
    channels: int
    rate: int
    bits: int
    frames: int
    peaks: list[float] = field(default_factory=list)  # 0..1 of full scale, one per slice

    @property
    def duration(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


def read_wav(path_or_file: Any) -> AudioFacts:
    """The format and the loudness of each slice of a WAV file; raises wave.Error or EOFError for a bad one."""
    with wave.open(path_or_file, "rb") as wav:
        channels, width, rate, frames = wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes()
        result = AudioFacts(channels, rate, width * 8, frames)
        bins = min(PEAK_BINS, frames)
        for index in range(bins):
            start = index * frames // bins
            end = (index + 1) * frames // bins
            wav.setpos(start)
            data = wav.readframes(min(end - start, WINDOW_FRAMES))
            result.peaks.append(_peak(data, width))
        return result


def _peak(data: bytes, width: int) -> float:
    """The largest absolute sample in `data`, as a fraction of full scale."""
    if not data:
        return 0.0
    if width == 1:  # 8-bit WAV is unsigned
        return max(abs(b - 128) for b in data) / 128
    if width == 3:  # keep the top two bytes of each 24-bit sample: plenty for a drawing
        usable = len(data) - len(data) % 3
        pairs = bytearray(usable // 3 * 2)
        pairs[0::2] = data[1:usable:3]
        pairs[1::2] = data[2:usable:3]
        data, width = bytes(pairs), 2
    code = {2: "h", 4: "i"}.get(width)
    if code is None:
        return 0.0
    samples = array(code)
    samples.frombytes(data[: len(data) - len(data) % width])
    if sys.byteorder == "big":
        samples.byteswap()
    if not samples:
        return 0.0
    return min(1.0, max(max(samples), -min(samples)) / float(2 ** (width * 8 - 1)))


def fit(peaks: list[float], columns: int) -> list[float]:
    """`peaks` fitted to `columns` (the loudest of the slices that fall in each column)."""
    if not peaks or columns <= 0:
        return []
    if len(peaks) <= columns:
        return [peaks[i * len(peaks) // columns] for i in range(columns)]
    return [max(peaks[i * len(peaks) // columns : max(i * len(peaks) // columns + 1, (i + 1) * len(peaks) // columns)])
            for i in range(columns)]


def waveform_rows(peaks: list[float], columns: int, rows: int) -> list[str]:
    """A waveform `rows` lines high, scaled to the loudest column so that quiet audio still shows its shape."""
    values = fit(peaks, columns)
    loudest = max(values, default=0.0)
    levels = [round(v / loudest * rows * 8) if loudest > 0 else 0 for v in values]
    lines = []
    for row in range(rows - 1, -1, -1):  # top line first
        lines.append("".join(BLOCKS[max(0, min(8, level - row * 8))] for level in levels))
    if loudest <= 0:
        lines[-1] = "▁" * len(values)  # silence: a flat line, not nothing
    return lines


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
    """What the worker made of an audio answer."""

    facts: Text
    source: BinarySource | None = None
    audio: AudioFacts | None = None
    note: str = ""


def is_wav(content_type: str, head: bytes) -> bool:
    return content_type.split(";")[0].strip().lower() in WAVE_TYPES or (head[:4] == b"RIFF" and head[8:12] == b"WAVE")


def listen(call: Call) -> Heard:
    """Read the audio answer of `call` (in a thread)."""
    source = binary_source(call)
    if source is None:
        ok, value = result_value(call)
        value = value if ok and isinstance(value, dict) else {}
        url = clean(str(value.get("url") or ""), single_line=True)
        return Heard(
            facts(("audio", "a URL in the result"), ("content type", value.get("content_type")), ("url", url[:2000])),
            note="The view does not fetch remote audio: open the URL yourself.",
        )
    size = f"{human_size(source.size)} ({source.size} bytes)" if source.size is not None else None
    base = [("content type", source.content_type or "(none given)"), ("size", size)]
    where = ("saved to", shown_path(source.path) if source.path else None)
    try:
        head = source.read(12)
    except (OSError, ValueError) as error:
        return Heard(facts(*base, where), source, note=f"cannot read it: {error}")
    if not is_wav(source.content_type, head):
        return Heard(facts(*base, where), source, note="only WAV audio is measured here; play it (o) to hear it")
    try:
        audio = read_wav(str(source.path)) if source.path else read_wav(_bytes_file(source.read()))
    except (wave.Error, EOFError, OSError, ValueError) as error:
        return Heard(facts(*base, where), source, note=f"a WAV file the standard library cannot read: {error}")
    peak = max(audio.peaks, default=0.0)
    loudness = f"{20 * math.log10(peak):.1f} dBFS" if peak > 0 else "silent"
    return Heard(
        facts(
            *base,
            ("duration", f"{audio.duration:.3f} s ({audio.frames} frames)"),
            ("sample rate", f"{audio.rate} Hz"),
            ("channels", f"{audio.channels} ({'mono' if audio.channels == 1 else 'stereo' if audio.channels == 2 else 'multichannel'})"),
            ("sample size", f"{audio.bits} bits"),
            ("peak", loudness),
            where,
        ),
        source, audio,
    )


def _bytes_file(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


class AudioView(BinaryDriverView):
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
        if is_binary(call):
            return content_type_of(call).lower().startswith("audio/") and binary_source(call) is not None
        return (is_method(call, "puter-tts", "synthesize") or is_method(call, "puter-speech2speech")) and has_json_result(
            call, "{"
        )

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
