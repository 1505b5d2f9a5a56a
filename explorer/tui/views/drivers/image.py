"""Images: a binary `image/*` answer, or the data URI or URL that v2 image generation answers with.

The preview is drawn by textual-image: with Kitty's graphics protocol or Sixel where the terminal has them
(when `prepare_terminal_graphics()` ran before the app started), in coloured half blocks otherwise.
Decoding happens in a thread; a remote URL is shown as text and never fetched.
"""

from __future__ import annotations

import io
import sys
import warnings
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from ....driver_views.answers import size_text
from ....driver_views.image import fits, image_result, image_source  # noqa: F401  (image_result: re-exported)
from ...calls import Call
from ... import graphics
from ...graphics import prepare_terminal_graphics, terminal_may_draw_images  # noqa: F401  (re-exported)
from ....terminal_text import clean
from ..render import fields
from .actions import BinaryActions, BinaryDriverView
from .base import BinarySource, shown_path

PREVIEW_PIXELS = 800  # the decoded image is scaled down to this (longest side) before it is drawn


class _NotATerminal(io.StringIO):
    def isatty(self) -> bool:
        return False


def image_widget_class() -> type[Widget]:
    """The textual-image widget to draw with: the detected kind, or half blocks (which any terminal shows)."""
    with graphics.lock:
        if graphics.detected():
            from textual_image.widget import Image

            return _quiet(Image)
        if "textual_image.widget" not in sys.modules:
            # Importing textual-image queries the terminal when stdout is one; with the app running, that query
            # would compete with it for the terminal's input. Importing it with stdout taken as "not a terminal"
            # skips the query; half blocks need no answer.
            real = sys.__stdout__
            sys.__stdout__ = _NotATerminal()
            try:
                import textual_image.widget  # noqa: F401
            finally:
                sys.__stdout__ = real
        from textual_image.widget import HalfcellImage

        return _quiet(HalfcellImage)


_quieted: dict[type, type] = {}


def _quiet(widget_class: Any) -> type[Widget]:
    """`widget_class` without the deprecation warning Pillow gives textual-image 0.12 on every draw."""
    if widget_class not in _quieted:

        class Quiet(widget_class, Renderable=widget_class._Renderable):  # type: ignore[misc, call-arg]
            def render_lines(self, crop: Any) -> Any:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", r"Image\.Image\.getdata", DeprecationWarning)
                    return super().render_lines(crop)

        Quiet.__name__ = Quiet.__qualname__ = widget_class.__name__
        _quieted[widget_class] = Quiet
    return _quieted[widget_class]


@dataclass
class Decoded:
    """What the worker made of an image answer."""

    facts: Text
    source: BinarySource | None = None
    picture: Any = None  # a PIL image, scaled down
    widget_class: type[Widget] | None = None
    note: str = ""


def decode(source: BinarySource | None, url: str | None) -> Decoded:
    """Read and decode the image (in a thread)."""
    if source is None:
        shown = clean(url or "", single_line=True)
        return Decoded(
            fields(("image", "a URL in the result"), ("url", shown[:2000])),
            note="The view does not fetch remote images: open the URL yourself.",
        )
    try:
        data = source.read()
    except (OSError, ValueError) as error:
        return Decoded(fields(("content type", source.content_type)), source, note=f"cannot read the image: {error}")
    widget_class = image_widget_class()
    from PIL import Image as PILImage

    origin = shown_path(source.path) if source.path else "a data URI in the result (s saves a copy)"
    try:
        with PILImage.open(io.BytesIO(data)) as opened:
            opened.load()
            frames = getattr(opened, "n_frames", 1)
            kind, size, mode = opened.format, opened.size, opened.mode
            picture = _flatten(opened)
    except Exception as error:  # PIL raises many kinds of errors for damaged or unknown files
        return Decoded(
            fields(("content type", source.content_type), ("size", size_text(len(data))), ("from", origin)),
            source, note=f"cannot decode it as an image: {error}",
        )
    picture.thumbnail((PREVIEW_PIXELS, PREVIEW_PIXELS))
    return Decoded(
        fields(
            ("content type", source.content_type or (kind or "").lower()),
            ("image", f"{size[0]} × {size[1]} px, {kind or '?'} {mode}" + (f", {frames} frames" if frames > 1 else "")),
            ("size", size_text(len(data))),
            ("saved to" if source.path else "from", origin),
        ),
        source, picture, widget_class,
    )


def _flatten(image: Any) -> Any:
    """RGB, with any transparency laid on a dark grey (what a terminal cell can show)."""
    from PIL import Image as PILImage

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        ground = PILImage.new("RGB", rgba.size, (48, 48, 48))
        ground.paste(rgba, mask=rgba.getchannel("A"))
        return ground
    return image.convert("RGB")


class ImageView(BinaryDriverView):
    DEFAULT_CSS = """
    ImageView #image-facts, ImageView #image-note {
        height: auto;
        padding: 0 1;
    }
    ImageView #image-note {
        color: $warning;
    }
    ImageView #image-preview {
        height: 1fr;
        padding: 0 1;
    }
    ImageView #image-preview > Widget {
        width: auto;
        height: auto;
    }
    """

    @classmethod
    def matches(cls, call: Call) -> bool:
        return fits(call)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("decoding…", style="dim"), id="image-facts")
            yield BinaryActions()
            yield Static(id="image-note")
            yield Container(id="image-preview")

    @property
    def preview(self) -> Widget | None:
        children = self.query_one("#image-preview", Container).children
        return children[0] if children else None

    def refresh_view(self) -> None:
        self.actions.set_source(None)
        self._decode(self.call)

    @work(thread=True, exclusive=True, group="image-view", exit_on_error=False, description="decode the image")
    def _decode(self, call: Call) -> None:
        decoded = decode(*image_source(call))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._apply, decoded)

    def _apply(self, decoded: Decoded) -> None:
        if not self.alive():
            return
        self.query_one("#image-facts", Static).update(decoded.facts)
        note = self.query_one("#image-note", Static)
        note.update(Text(decoded.note))
        note.display = bool(decoded.note)
        self.actions.set_source(decoded.source)
        self.actions.display = decoded.source is not None
        host = self.query_one("#image-preview", Container)
        host.remove_children()
        if decoded.picture is not None and decoded.widget_class is not None:
            host.mount(decoded.widget_class(decoded.picture))
