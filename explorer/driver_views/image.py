"""Images: a binary `image/*` answer, or the data URI or URL that v2 image generation answers with."""

from __future__ import annotations

from typing import Any

from .answers import (
    BinarySource,
    binary_source,
    content_type_of,
    extension_for,
    has_json_result,
    is_binary,
    is_method,
    result_value,
)


def fits(answer: Any) -> bool:
    if is_binary(answer):
        return content_type_of(answer).lower().startswith("image/") and binary_source(answer) is not None
    return is_method(answer, "puter-image-generation", "generate") and has_json_result(answer, '"{')


def image_result(value: Any) -> str | None:
    """The data URI or URL in an image generation result: a string, or an object with `url`."""
    if isinstance(value, dict):
        value = value.get("url") or value.get("image") or value.get("data")
    return value if isinstance(value, str) else None


def image_source(answer: Any) -> tuple[BinarySource | None, str | None]:
    """(the image's bytes, None), or (None, the URL in the result: never fetched). Parses a stored result."""
    source = binary_source(answer)
    if source is not None:
        return source, None
    ok, value = result_value(answer)
    found = image_result(value) if ok else None
    if found is not None and found[:5].lower() == "data:":
        content_type = found[5:found.find(";")] if ";" in found[:100] else ""
        name = f"image-{answer.entry_id or 'answer'}{extension_for(content_type)}"
        return BinarySource(content_type, data_uri=found, suggested_name=name), None
    return None, found or ""
