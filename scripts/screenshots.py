"""Save SVG screenshots of the real app, driven against the built-in demo server.

    python scripts/screenshots.py [output folder]   (default: screenshots/ beside this script's parent)

Writes connect.svg, main.svg, result.svg, driver-error.svg, binary.svg, stream.svg, one view-*.svg per driver
view (chat, table, image, audio, OCR) and compare.svg. History and downloads go to a throwaway folder, so the
user's own history is untouched.
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


async def _call(app: Any, pilot: Any, interface: str, method: str, args: Any, test_mode: bool | None = None) -> None:
    from textual.widgets import Checkbox

    from explorer.tui.widgets.catalog_tree import MethodRef

    app.screen.open_method(MethodRef(interface, method, None))
    app.screen.editor.text_area.load_text(json.dumps(args, indent=2))
    if test_mode is not None:
        app.screen.editor.query_one("#test-mode", Checkbox).value = test_mode
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
    from explorer.connect import open_chosen_session

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
        await _driver_views(app, pilot, out)
        await _compare(app, pilot, out)
        await _collections(app, pilot, out)


def _short_paths() -> None:
    """Saved files shown under $PUTER_EXPLORER_HOME, not the throwaway folder's random name."""
    from explorer.tui.views.drivers import audio, base, binary, image

    home = os.environ["PUTER_EXPLORER_HOME"]
    for module in (audio, base, binary, image):
        module.shown_path = lambda path: str(path).replace(home, "$PUTER_EXPLORER_HOME")  # type: ignore[attr-defined]


async def _driver_views(app: Any, pilot: Any, out: Path) -> None:
    """One screenshot per driver view: chat (a streamed reply, then a continued turn), table, image, audio, OCR."""
    from textual.widgets import Input

    _short_paths()
    screen = app.screen
    chat = {"model": "fake", "stream": True,
            "messages": [{"role": "system", "content": "Answer in one paragraph."},
                         {"role": "user", "content": "What is the **demo server**?"}]}
    await _call(app, pilot, "puter-chat-completion", "complete", chat)
    screen.outcome_view.driver_view.query_one("#chat-input", Input).focus()
    await pilot.press(*"And does it need an account?", "enter")
    await settle(app, pilot)
    app.save_screenshot("view-chat.svg", str(out))

    for key, value in (("settings", {"theme": "dark", "font": 14}), ("visits", 42), ("motto", "stay curious"),
                       ("tags", ["api", "demo"]), ("last-seen", "2026-11-27")):
        await _call(app, pilot, "puter-kvstore", "set", {"key": key, "value": value})
    await _call(app, pilot, "puter-kvstore", "list", {"as": "entries"})
    app.save_screenshot("view-table.svg", str(out))

    await _call(app, pilot, "puter-image-generation", "generate", {"prompt": "a sunset", "width": 96, "height": 64})
    app.save_screenshot("view-image.svg", str(out))

    await _call(app, pilot, "puter-tts", "synthesize", {"text": "Hello from the demo server"})
    app.save_screenshot("view-audio.svg", str(out))

    await _call(app, pilot, "puter-ocr", "recognize", {"source": "/scan.png"}, test_mode=True)  # the demo's sample
    app.save_screenshot("view-ocr.svg", str(out))


async def _compare(app: Any, pilot: Any, out: Path) -> None:
    """The compare screen after the same chat call ran on two of the server's models, both rows marked."""
    from explorer.tui.widgets.catalog_tree import MethodRef

    screen = app.screen
    screen.open_method(MethodRef("puter-chat-completion", "complete", None))
    screen.editor.text_area.load_text(json.dumps({"model": "fake", "messages": [{"role": "user", "content": "Compare us"}]}))
    await pilot.press("ctrl+k")
    compare = app.screen
    await _until(pilot, lambda: len(compare.services) > 1)  # the server's models, listed in a worker
    names = [name for name, _, _ in compare.services]
    compare.query_one("#service-0").value = False
    for name in ("model fake", "model costly"):
        compare.query_one(f"#service-{names.index(name)}").value = True
    await pilot.press("r")
    await _until(pilot, lambda: not compare.running and len(compare.rows) == 2)
    compare.table.focus()
    await pilot.press("m", "down", "m")
    await settle(app, pilot)
    app.save_screenshot("compare.svg", str(out))


async def _until(pilot: Any, condition: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise SystemExit("the compare screen did not get there in time")
        await pilot.pause(0.05)


async def _collections(app: Any, pilot: Any, out: Path) -> None:
    """The collections screen after the shipped examples ran, a failure of the kind a user meets shown."""
    from textual.widgets import Input

    await pilot.press("escape")
    await pilot.press("f6")
    await settle(app, pilot)
    field = app.screen.query_one("#collection-folder", Input)
    field.value = "examples/demo"  # relative to the repository, where the script runs
    field.focus()
    await pilot.press("enter")
    await settle(app, pilot)
    await pilot.press("a")
    while len(app.screen.results) < len(app.screen.items):
        await pilot.pause(0.05)
    await settle(app, pilot)
    app.save_screenshot("collections.svg", str(out))


if __name__ == "__main__":
    repo = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(repo))
    os.chdir(repo)
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else repo / "screenshots"
    with tempfile.TemporaryDirectory() as home:
        os.environ["PUTER_EXPLORER_HOME"] = home  # a throwaway history and downloads folder
        asyncio.run(main(target))
    print(f"screenshots written to {target}")
