"""The offline drivers of the demo server, one module per interface family, and what each generation serves.

kv        the key-value store
chat      a fake chat model, whole or streamed
speech    text to speech (generated tones)
images    image generation (generated gradients)
ocr       OCR (the test-mode sample)
apps      apps and notifications (entities)
hello     v1's hello-world
base      the call, the replies and the failure every driver shares
"""

from __future__ import annotations

from dataclasses import dataclass

from .apps import Apps, Notifications
from .base import (
    APIERROR,
    NO_RESULT,
    BinaryReply,
    Call,
    Driver,
    DriverFailure,
    Reply,
    StreamReply,
    no_implementation,
)
from .chat import CHAT_MODELS, HIDDEN_MODELS, Chat
from .hello import HelloWorld
from .images import ImageGeneration
from .kv import KVStore
from .ocr import OCR
from .speech import TextToSpeech

__all__ = [
    "APIERROR",
    "CHAT_MODELS",
    "HIDDEN_MODELS",
    "NO_RESULT",
    "BinaryReply",
    "Binding",
    "Call",
    "Driver",
    "DriverFailure",
    "Reply",
    "StreamReply",
    "build_bindings",
    "no_implementation",
]


@dataclass
class Binding:
    """One interface as served: the driver, its canonical name, the names that reach it.

    `aliases` answer as the canonical service; `services` are further implementors under their own name
    (v1 lists them in /lsmod and names them in answers). The driver tells them apart by `requested_driver`.
    """

    interface: str
    driver: Driver
    canonical: str
    aliases: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    default: str | None = None  # the name used when a call names no driver
    version: str | None = None  # v1 `service.version`, for drivers with the version trait

    @property
    def names(self) -> tuple[str, ...]:
        return (self.canonical, *self.aliases, *self.services)

    def answering_name(self, requested: str | None) -> str:
        return requested if requested in self.services else self.canonical


def build_bindings(generation: str) -> dict[str, Binding]:
    """Fresh drivers (with empty state) bound under the names the generation uses."""
    kv, chat, tts, image, ocr = KVStore(), Chat(), TextToSpeech(), ImageGeneration(), OCR()
    apps, notes = Apps(), Notifications()
    if generation == "v1":
        bindings = [
            Binding("puter-kvstore", kv, "puter-kvstore", default="puter-kvstore"),
            # v1 defaults of the AI interfaces name providers that are not installed.
            Binding(
                "puter-chat-completion", chat, "ai-chat", ("fake-chat",), default="openai-completion"
            ),
            Binding("puter-tts", tts, "aws-polly", services=("openai-tts",), default="aws-polly"),
            Binding("puter-image-generation", image, "ai-image", default="openai-image-generation"),
            Binding("puter-ocr", ocr, "aws-textract", default="aws-textract"),
            Binding("puter-apps", apps, "es:app", default="es:app"),
            Binding("puter-notifications", notes, "es:notification", default="es:notification"),
            Binding("hello-world", HelloWorld(), "hello-world", default="hello-world", version="v1.0.0"),
        ]
    else:
        bindings = [
            Binding("puter-kvstore", kv, "puter-kvstore"),
            Binding("puter-chat-completion", chat, "ai-chat"),
            Binding(
                "puter-tts", tts, "ai-tts",
                ("aws-polly", "openai-tts", "elevenlabs-tts", "gemini-tts", "xai-tts", "speechify-tts"),
            ),
            Binding(
                "puter-image-generation", image, "ai-image",
                tuple(f"{p}-image-generation" for p in ("openai", "gemini", "together", "cloudflare", "xai", "replicate", "byteplus")),
            ),
            Binding("puter-ocr", ocr, "ai-ocr", ("aws-textract", "mistral")),
            Binding("puter-apps", apps, "es:app"),
            Binding("puter-notifications", notes, "es:notification"),
        ]
        for binding in bindings:
            binding.default = binding.canonical
    return {b.interface: b for b in bindings}
