"""Whether the terminal draws Kitty or Sixel images: asked once, before the app takes the terminal's input.

Kept apart from the image view (views/drivers/image.py) so that asking costs the start-up nothing but this
module: the views load with the first call shown.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping

log = logging.getLogger(__name__)
lock = threading.Lock()
_detected = False  # the terminal was asked what it can draw, before the app took its input

# Terminals known to draw Kitty or Sixel images. Elsewhere the terminal is not asked (the question costs
# start-up time and an answer that never comes), and images are drawn in half blocks.
GRAPHICS_TERMINALS = ("kitty", "wezterm", "ghostty", "foot", "mlterm", "konsole", "iterm", "contour", "mintty")


def terminal_may_draw_images(environ: Mapping[str, str]) -> bool:
    if environ.get("PUTER_EXPLORER_IMAGES") in ("0", "blocks"):
        return False
    if environ.get("PUTER_EXPLORER_IMAGES") == "ask" or environ.get("KITTY_WINDOW_ID"):
        return True
    names = " ".join(environ.get(key, "") for key in ("TERM", "TERM_PROGRAM", "LC_TERMINAL")).lower()
    return any(name in names for name in GRAPHICS_TERMINALS)


def prepare_terminal_graphics(environ: Mapping[str, str] = os.environ) -> None:
    """Ask the terminal whether it draws Kitty or Sixel images. Call it before the app starts:
    the answer comes on the terminal's input, which the running app reads itself."""
    global _detected
    if not terminal_may_draw_images(environ):
        return
    with lock:
        try:
            import textual_image.widget  # noqa: F401  (the import asks the terminal)
        except Exception:  # e.g. input that is not a terminal: the views draw half blocks then
            # Info, not a warning: before the app starts, a warning would be printed over the terminal.
            log.info("the terminal could not be asked what images it draws", exc_info=True)
            return
        _detected = True


def detected() -> bool:
    """Whether the terminal was asked (call with `lock` held)."""
    return _detected
