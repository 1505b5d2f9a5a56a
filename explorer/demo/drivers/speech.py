"""The text-to-speech driver: every voice is a generated tone, so an answer is a real WAV file."""

from __future__ import annotations

from typing import Any

from explorer.demo.media import wav_tone

from .base import BinaryReply, Call, Driver, bad_request

VOICES = [
    {"id": "demo-a4", "name": "Demo A4 (440 Hz)", "language": {"name": "English (US)", "code": "en-US"}},
    {"id": "demo-e5", "name": "Demo E5 (659 Hz)", "language": {"name": "English (GB)", "code": "en-GB"}},
]
VOICE_FREQUENCIES = {"demo-a4": 440.0, "demo-e5": 659.25}
# The voice a service uses when the call names none: a second service sounds different.
SERVICE_VOICES = {"openai-tts": "demo-e5"}


class TextToSpeech(Driver):
    description = "Text-to-speech."
    v2_only = frozenset({"list"})

    def m_synthesize(self, call: Call) -> Any:
        text = call.args.get("text")
        if not isinstance(text, str) or not text:
            raise bad_request("Missing `text`")
        voice = call.args.get("voice") or SERVICE_VOICES.get(call.requested_driver or "", "demo-a4")
        frequency = VOICE_FREQUENCIES.get(str(voice), 440.0)
        return BinaryReply(wav_tone(0.5, frequency, words=str(text)[:200]), "audio/wav")

    def m_list_voices(self, call: Call) -> Any:
        return [dict(v, provider="demo") for v in VOICES]

    def m_list_engines(self, call: Call) -> Any:
        return [{"id": "standard", "name": "Standard", "provider": "demo"}]

    def m_list(self, call: Call) -> Any:
        return ["demo"]
