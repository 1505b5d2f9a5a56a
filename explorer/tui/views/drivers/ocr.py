"""`puter-ocr.recognize`: the recognised text blocks, each with its confidence."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static
from textual.worker import get_current_worker

from ...calls import Call
from ...safe import clean
from .base import DriverView, has_json_result, is_method, result_value

MAX_BLOCKS = 2000  # blocks shown at most (the Result tab has all of them)
BAR = 10  # cells of a confidence bar


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


def render_blocks(blocks: list[dict[str, Any]]) -> Text:
    text = Text()
    known = [c for c in (confidence_of(b) for b in blocks) if c is not None]
    summary = f"{len(blocks)} text block{'s' if len(blocks) != 1 else ''}"
    if known:
        summary += f", mean confidence {sum(known) / len(known):.0%}"
    text.append(summary + "\n", style="bold")
    for block in blocks[:MAX_BLOCKS]:
        text.append("\n")
        confidence = confidence_of(block)
        if confidence is not None:
            filled = round(confidence * BAR)
            style = "green" if confidence >= 0.9 else "yellow" if confidence >= 0.6 else "red"
            text.append("█" * filled, style=style)
            text.append("░" * (BAR - filled), style="dim")
            text.append(f" {confidence:5.0%}", style=style)
        else:
            text.append("confidence not given", style="dim")
        kind = block.get("type")
        if isinstance(kind, str) and kind:
            text.append("  " + clean(kind, single_line=True), style="dim italic")
        text.append("\n")
        body = block.get("text")
        text.append(clean(body if isinstance(body, str) else "(no text)"))
        text.append("\n")
    if len(blocks) > MAX_BLOCKS:
        text.append(f"\n… {len(blocks) - MAX_BLOCKS} more blocks in the Result tab", style="dim")
    return text


class OcrView(DriverView):
    DEFAULT_CSS = """
    OcrView #ocr-blocks {
        height: auto;
        padding: 0 1;
    }
    """

    @classmethod
    def matches(cls, call: Call) -> bool:
        return is_method(call, "puter-ocr", "recognize") and has_json_result(call, "{[")

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("reading…", style="dim"), id="ocr-blocks")

    def refresh_view(self) -> None:
        self._read(self.call)

    @work(thread=True, exclusive=True, group="ocr-view", exit_on_error=False, description="read the text blocks")
    def _read(self, call: Call) -> None:
        ok, value = result_value(call)
        blocks = ocr_blocks(value) if ok else []
        shown = render_blocks(blocks) if blocks else Text("no text blocks in this answer (see Result)", style="dim")
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._apply, shown)

    def _apply(self, shown: Text) -> None:
        if self.alive():
            self.query_one("#ocr-blocks", Static).update(shown)
