"""Small real media files made with the standard library: a WAV tone and a PNG gradient."""

from __future__ import annotations

import io
import math
import re
import struct
import wave
import zlib


def wav_tone(seconds: float = 0.5, frequency: float = 440.0, rate: int = 16000, words: str = "") -> bytes:
    """A 16-bit mono sine tone, faded in and out so that it does not click.

    With `words`, its loudness rises and falls once per syllable, with a pause between words, so that a
    waveform of it looks like speech; the loudest point is the same either way.
    """
    frames = int(seconds * rate)
    fade = max(1, rate // 100)
    shape = _speech_shape(words, frames) if words.strip() else None
    samples = bytearray()
    for i in range(frames):
        envelope = min(1.0, i / fade, (frames - 1 - i) / fade)
        if shape is not None:
            envelope *= shape[i]
        value = int(0.4 * 32767 * envelope * math.sin(2 * math.pi * frequency * i / rate))
        samples += struct.pack("<h", value)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(samples))
    return buffer.getvalue()


def png_gradient(width: int = 64, height: int = 64, seed: int = 0) -> bytes:
    """An RGB PNG with a diagonal gradient whose colours depend on `seed`."""
    r0, g0, b0 = (seed >> 16) & 0xFF, (seed >> 8) & 0xFF, seed & 0xFF
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            t = (x + y) / max(1, width + height - 2)
            rows += bytes(
                (int(r0 + (255 - r0) * t) & 0xFF, int(g0 * (1 - t)) & 0xFF, int(b0 + (128 - b0) * t) & 0xFF)
            )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(bytes(rows))) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _speech_shape(words: str, frames: int) -> list[float]:
    """A loudness per frame: one hump per syllable (a group of vowels), a short silence after each word."""
    syllables = [max(1, len(re.findall(r"[aeiouy]+", word.lower()))) for word in words.split()]
    units = sum(syllables) + 0.5 * (len(syllables) - 1)  # a pause is half a syllable long
    per_unit = frames / units
    shape: list[float] = []
    for n, count in enumerate(syllables):
        length = int(per_unit * count)
        for i in range(length):
            shape.append(abs(math.sin(math.pi * count * i / length)))
        if n < len(syllables) - 1:
            shape.extend([0.0] * int(per_unit / 2))
    return (shape + [0.0] * frames)[:frames]
