"""Snapshots of the main screen at a fixed size. Nothing that varies (port, time) is on screen:
the origin is shown as a fixed label and the one duration on screen is frozen."""

from __future__ import annotations

import json

from explorer.tui.views.render import row_text
from explorer.tui.widgets.catalog_tree import MethodRef

from .conftest import SIZE

ORIGIN_LABEL = "http://demo.example"


async def _open_kv_set(pilot) -> None:
    app = pilot.app
    await app.workers.wait_for_complete()
    await pilot.pause()
    app.screen.editor.text_area.cursor_blink = False
    app.screen.open_method(MethodRef("puter-kvstore", "set", None))
    await pilot.pause()


def test_main_screen_with_a_method_open(snap_compare, make_app):
    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=_open_kv_set)


def test_main_screen_after_a_driver_error(snap_compare, make_app):
    async def run_before(pilot) -> None:
        app = pilot.app
        await _open_kv_set(pilot)
        app.screen.open_method(MethodRef("puter-kvstore", "get", None))
        app.screen.editor.text_area.load_text(json.dumps({}))
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        call = app.screen.history.selected
        call.duration_ms = 12.0  # frozen: the real duration varies from run to run
        app.screen.history.option_list.replace_option_prompt(call.key, row_text(call))
        await pilot.pause()

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
