"""Snapshots of the main screen at a fixed size. Nothing that varies (port, time) is on screen:
the origin is shown as a fixed label, and calls are timed by a clock that makes every one last 12 ms."""

from __future__ import annotations

import json

import pytest

from explorer.tui.widgets.catalog_tree import MethodRef

from .conftest import SIZE, no_blinking, ready, settle

ORIGIN_LABEL = "http://demo.example"


async def _open_kv_set(pilot) -> None:
    app = pilot.app
    await ready(app, pilot)
    no_blinking(app.screen)
    app.screen.open_method(MethodRef("puter-kvstore", "set", None))
    await pilot.pause()


def test_main_screen_with_a_method_open(snap_compare, make_app):
    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=_open_kv_set)


def test_main_screen_after_a_driver_error(snap_compare, make_app, steady_durations):
    async def run_before(pilot) -> None:
        app = pilot.app
        await _open_kv_set(pilot)
        app.screen.open_method(MethodRef("puter-kvstore", "get", None))
        app.screen.editor.text_area.load_text(json.dumps({}))
        await pilot.press("f5")
        await settle(app, pilot)
        assert app.screen.history.selected.duration_ms == pytest.approx(steady_durations)

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def _kv_result(pilot) -> None:
    """A kv get with its result on screen (with `steady_durations`: each call took 12 ms)."""
    app = pilot.app
    await _open_kv_set(pilot)
    app.screen.editor.text_area.load_text(json.dumps({"key": "snap", "value": {"text": "hello", "n": [1, 2, 3]}}))
    await pilot.press("f5")
    await settle(app, pilot)
    app.screen.open_method(MethodRef("puter-kvstore", "get", None))
    app.screen.editor.text_area.load_text(json.dumps({"key": "snap"}))
    await pilot.press("f5")
    await settle(app, pilot)
    assert [round(call.duration_ms, 6) for call in app.screen.history.calls.values()] == [12.0, 12.0]


def test_main_screen_with_a_result(snap_compare, make_app, steady_durations):
    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=_kv_result)


def test_a_result_at_80x24_keeps_all_three_panes(snap_compare, make_app, steady_durations):
    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_kv_result)


def test_find_in_a_result(snap_compare, make_app, steady_durations):
    async def run_before(pilot) -> None:
        await _kv_result(pilot)
        pilot.app.screen.outcome_view.tabs.active = "tab-result"  # the table view opens first
        await settle(pilot.app, pilot)
        pilot.app.screen.outcome_view.body.focus()
        await pilot.press("slash", *"hello", "enter")
        await settle(pilot.app, pilot)

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await _open_kv_set(pilot)
        await pilot.press("f1")
        await pilot.pause()

    app = make_app(origin_label=ORIGIN_LABEL)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
