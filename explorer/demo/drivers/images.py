"""The image-generation driver: every image is a generated PNG gradient."""

from __future__ import annotations

import base64
import zlib
from typing import Any

from explorer.demo.media import png_gradient

from .base import BinaryReply, Call, Driver, bad_request, is_number

IMAGE_MODELS = [{"id": "demo-gradient", "aliases": [], "provider": "demo", "costs_currency": "usd-cents", "costs": {}}]


class ImageGeneration(Driver):
    description = "AI Image Generation."
    v2_only = frozenset({"list", "models"})

    def m_generate(self, call: Call) -> Any:
        prompt = call.args.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            raise bad_request("Missing `prompt`")
        width = _clamp(call.args.get("width"), 64)
        height = _clamp(call.args.get("height"), 64)
        png = png_gradient(width, height, seed=zlib.crc32(prompt.encode()) & 0xFFFFFF)
        if call.generation == "v1":  # v1 coerces the image URL into the response body
            return BinaryReply(png, "image/png")
        return "data:image/png;base64," + base64.b64encode(png).decode()

    def m_models(self, call: Call) -> Any:
        return [dict(m) for m in IMAGE_MODELS]

    def m_list(self, call: Call) -> Any:
        return [m["id"] for m in IMAGE_MODELS]


def _clamp(value: Any, default: int) -> int:
    return max(1, min(512, int(value))) if is_number(value) else default
