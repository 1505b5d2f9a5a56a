"""Save SVG screenshots of the real app, driven against the built-in demo server.

    python scripts/screenshots.py [output folder]   (default: screenshots/ beside this script's parent)

Writes connect.svg, main.svg, result.svg, driver-error.svg, binary.svg and stream.svg. History and downloads go to a
throwaway folder, so the user's own history is untouched.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

SIZE = (120, 40)
ORIGIN_LABEL = "http://127.0.0.1 (demo)"


async def _call(app: Any, pilot: Any, interface: str, method: str, args: Any) -> None:
    from explorer.tui.widgets.catalog_tree import MethodRef

    app.screen.open_method(MethodRef(interface, method, None))
    app.screen.editor.text_area.load_text(json.dumps(args, indent=2))
    await pilot.press("f5")
    await settle(app, pilot)


async def settle(app: Any, pilot: Any) -> None:
    """Until the call and the formatting of what it gave back (workers started meanwhile too) are done."""
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            return


async def connect_screen(out: Path) -> None:
    """The screen shown first when no token is configured (nothing is chosen here)."""
    from explorer.tui.app import ExplorerApp
    from explorer.tui.connecting import open_chosen_session

    app = ExplorerApp(session_factory=open_chosen_session, connect_first=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.save_screenshot("connect.svg", str(out))


async def main(out: Path) -> None:
    from explorer.session import open_session
    from explorer.tui.app import ExplorerApp
    from explorer.tui.widgets.catalog_tree import MethodRef

    out.mkdir(parents=True, exist_ok=True)
    await connect_screen(out)
    app = ExplorerApp(session_factory=lambda: open_session(demo=True), origin_label=ORIGIN_LABEL)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        screen.editor.text_area.cursor_blink = False
        screen.open_method(MethodRef("puter-kvstore", "set", None))
        await pilot.pause()
        app.save_screenshot("main.svg", str(out))

        await _call(app, pilot, "puter-kvstore", "set", {"key": "greeting", "value": {"text": "hello", "n": [1, 2, 3]}})
        await _call(app, pilot, "puter-kvstore", "get", {"key": "greeting"})
        app.save_screenshot("result.svg", str(out))

        await _call(app, pilot, "puter-kvstore", "get", {})
        app.save_screenshot("driver-error.svg", str(out))

        await _call(app, pilot, "puter-tts", "synthesize", {"text": "hello"})
        app.save_screenshot("binary.svg", str(out))

        chat = {"model": "fake", "messages": [{"role": "user", "content": "Say hello"}], "stream": True}
        await _call(app, pilot, "puter-chat-completion", "complete", chat)
        app.save_screenshot("stream.svg", str(out))


if __name__ == "__main__":
    repo = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(repo))
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else repo / "screenshots"
    with tempfile.TemporaryDirectory() as home:
        os.environ["PUTER_EXPLORER_HOME"] = home  # a throwaway history and downloads folder
        asyncio.run(main(target))
    print(f"screenshots written to {target}")
