"""`puter-ocr.recognize`: the recognised text blocks, each with its confidence."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static
from textual.worker import get_current_worker

from ....driver_views.ocr import (  # noqa: F401  (re-exported: reading the blocks lives there)
    MAX_BLOCKS,
    block_kind,
    block_text,
    confidence_of,
    fits,
    ocr_blocks,
    summary,
)
from ...calls import Call
from ....terminal_text import clean
from .base import DriverView, result_value

BAR = 10  # cells of a confidence bar


def render_blocks(blocks: list[dict[str, Any]]) -> Text:
    text = Text()
    text.append(summary(blocks) + "\n", style="bold")
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
        if block_kind(block):
            text.append("  " + clean(block_kind(block), single_line=True), style="dim italic")
        text.append("\n")
        text.append(clean(block_text(block)))
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
        return fits(call)

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
