"""Audio answers: a binary `audio/*` body (text to speech, voice changing), or the `{url, content_type}` of test mode.

For WAV: duration, sample rate, channels, bits and the loudness of each slice of the file, read with the
standard `wave` module; `waveform_rows` draws it in block characters. For other formats (mp3, ogg) only
what the answer says: type and size. Reading is meant for a thread.
"""

from __future__ import annotations

import io
import math
import sys
import wave
from array import array
from dataclasses import dataclass, field
from typing import Any

from ..terminal_text import clean
from .answers import (
    BinarySource,
    binary_source,
    content_type_of,
    has_json_result,
    is_binary,
    is_method,
    result_value,
    size_text,
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


@dataclass
class Heard:
    """What was read of an audio answer: `label: value` facts, the bytes, the WAV measures, a note."""

    facts: list[tuple[str, Any]]
    source: BinarySource | None = None
    audio: AudioFacts | None = None
    note: str = ""


def is_wav(content_type: str, head: bytes) -> bool:
    return content_type.split(";")[0].strip().lower() in WAVE_TYPES or (head[:4] == b"RIFF" and head[8:12] == b"WAVE")


def listen(answer: Any) -> Heard:
    """Read the audio answer (in a thread)."""
    source = binary_source(answer)
    if source is None:
        ok, value = result_value(answer)
        value = value if ok and isinstance(value, dict) else {}
        url = clean(str(value.get("url") or ""), single_line=True)
        return Heard(
            [("audio", "a URL in the result"), ("content type", value.get("content_type")), ("url", url[:2000])],
            note="The view does not fetch remote audio: open the URL yourself.",
        )
    base = [("content type", source.content_type or "(none given)"), ("size", size_text(source.size))]
    where = ("saved to", source.path)  # a Path: each front end shows paths its own way
    try:
        head = source.read(12)
    except (OSError, ValueError) as error:
        return Heard([*base, where], source, note=f"cannot read it: {error}")
    if not is_wav(source.content_type, head):
        return Heard([*base, where], source, note="only WAV audio is measured here")
    try:
        audio = read_wav(str(source.path)) if source.path else read_wav(_bytes_file(source.read()))
    except (wave.Error, EOFError, OSError, ValueError) as error:
        return Heard([*base, where], source, note=f"a WAV file the standard library cannot read: {error}")
    peak = max(audio.peaks, default=0.0)
    loudness = f"{20 * math.log10(peak):.1f} dBFS" if peak > 0 else "silent"
    return Heard(
        [
            *base,
            ("duration", f"{audio.duration:.3f} s ({audio.frames} frames)"),
            ("sample rate", f"{audio.rate} Hz"),
            ("channels", f"{audio.channels} ({'mono' if audio.channels == 1 else 'stereo' if audio.channels == 2 else 'multichannel'})"),
            ("sample size", f"{audio.bits} bits"),
            ("peak", loudness),
            where,
        ],
        source, audio,
    )


def _bytes_file(data: bytes) -> Any:
    return io.BytesIO(data)


def fits(answer: Any) -> bool:
    if is_binary(answer):
        return content_type_of(answer).lower().startswith("audio/") and binary_source(answer) is not None
    return (is_method(answer, "puter-tts", "synthesize") or is_method(answer, "puter-speech2speech")) and has_json_result(
        answer, "{"
    )
