"""`puter-ocr.recognize`: the recognised text blocks, each with its confidence."""

from __future__ import annotations

from typing import Any

from .answers import has_json_result, is_method

MAX_BLOCKS = 2000  # blocks shown at most (the whole result is in the Result tab, or the plain output)


def fits(answer: Any) -> bool:
    return is_method(answer, "puter-ocr", "recognize") and has_json_result(answer, "{[")


def confidence_of(block: dict[str, Any]) -> float | None:
    """A block's confidence as 0..1 (servers give 0..1 or 0..100), or None."""
    value = block.get("confidence")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    return max(0.0, min(1.0, value / 100 if value > 1 else float(value)))


def ocr_blocks(value: Any) -> list[dict[str, Any]]:
    """The text blocks of an OCR result: `{blocks: [...]}`, or pages of them, or a bare `text`."""
    if isinstance(value, list):
        return [b for b in value if isinstance(b, dict)]
    if not isinstance(value, dict):
        return [{"text": value}] if isinstance(value, str) else []
    if isinstance(value.get("blocks"), list):
        return [b for b in value["blocks"] if isinstance(b, dict)]
    if isinstance(value.get("pages"), list):
        blocks = []
        for number, page in enumerate(value["pages"], 1):
            if isinstance(page, dict):
                text = page.get("markdown") or page.get("text")
                if isinstance(text, str):
                    blocks.append({"type": f"page {page.get('index', number)}", "text": text})
        return blocks
    if isinstance(value.get("text"), str):
        return [{"text": value["text"]}]
    return []


def summary(blocks: list[dict[str, Any]]) -> str:
    """`3 text blocks, mean confidence 91%`."""
    known = [c for c in (confidence_of(b) for b in blocks) if c is not None]
    text = f"{len(blocks)} text block{'s' if len(blocks) != 1 else ''}"
    if known:
        text += f", mean confidence {sum(known) / len(known):.0%}"
    return text


def block_kind(block: dict[str, Any]) -> str:
    kind = block.get("type")
    return kind if isinstance(kind, str) else ""


def block_text(block: dict[str, Any]) -> str:
    body = block.get("text")
    return body if isinstance(body, str) else "(no text)"
