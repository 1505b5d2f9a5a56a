"""Small real media files made with the standard library: a WAV tone and a PNG gradient."""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib


def wav_tone(seconds: float = 0.5, frequency: float = 440.0, rate: int = 16000) -> bytes:
    """A 16-bit mono sine tone, faded in and out so that it does not click."""
    frames = int(seconds * rate)
    fade = max(1, rate // 100)
    samples = bytearray()
    for i in range(frames):
        envelope = min(1.0, i / fade, (frames - 1 - i) / fade)
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
