"""Keymap, help, add-method, history paging and search, and server text shown as data."""

from __future__ import annotations

import json

from explorer.history import HistoryStore
from explorer.tui.screens.help import HelpScreen
from explorer.tui.widgets.catalog_tree import MethodRef
from explorer.tui.widgets.history_pane import PAGE_SIZE

from .conftest import SIZE, ready, settle, shown, wait_until
from .test_calls import send


async def test_a_user_keymap_rebinds_send(make_app):
    app = make_app(keymap={"send": "ctrl+s"})
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-kvstore", "get", None))
        await pilot.press("f5")
        await settle(app, pilot)
        assert screen.history.calls == {}
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert [c.kind for c in screen.history.calls.values()] == ["result"]


async def test_f1_shows_the_help_of_the_focused_widget(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-kvstore", "get", None))
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Args editor" in app.screen.query_one("#help-widget").source
        assert "f5,ctrl+j" in str(app.screen.query_one("#help-keys").content)
        await pilot.press("escape")
        assert app.screen is screen


async def test_tab_moves_on_from_the_args_editor_and_enter_keeps_the_indentation(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-kvstore", "get", None))
        await pilot.pause()
        area = screen.editor.text_area
        assert app.focused is area
        text, chain = area.text, screen.focus_chain
        await pilot.press("tab")
        assert app.focused is chain[chain.index(area) + 1] and area.text == text  # moved on, nothing typed
        await pilot.press("shift+tab")
        assert app.focused is area and area.text == text
        await pilot.press("f1")
        await pilot.pause()
        assert "**Tab** moves on" in app.screen.query_one("#help-widget").source
        await pilot.press("escape")
        area.load_text("{")
        area.move_cursor(area.document.end)
        await pilot.press("enter")
        area.insert('"a": [')
        await pilot.press("enter")
        area.insert("1,")
        await pilot.press("enter")
        assert area.text == '{\n  "a": [\n    1,\n    '


async def test_add_method_calls_something_the_tree_does_not_list(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert screen.catalog.method("hello-world", "shout") is None
        for selector, value in (("#add-interface", "hello-world"), ("#add-method", "shout")):
            app.screen.query_one(selector).value = value
        await pilot.click("#add-ok")
        await pilot.pause()
        assert (screen.editor.interface, screen.editor.method) == ("hello-world", "shout")
        assert screen.catalog.method("hello-world", "shout").source == "user"
        await pilot.press("f5")
        await settle(app, pilot)
        call = screen.history.selected
        assert call.title == "hello-world.shout"
        assert call.kind == "driver_error" and call.outcome.normalised_code == "not_found"


async def test_past_entries_load_page_by_page_and_search_filters_them(make_app, explorer_home):
    with HistoryStore(explorer_home / "history.sqlite3") as store:
        for n in range(PAGE_SIZE + 10):
            entry_id = store.begin(
                origin="http://old", profile="p", interface="puter-kvstore", service="", method="get",
                args_json=json.dumps({"key": f"k{n}"}), test_mode=False, request_body="{}",
            )
            store.complete(entry_id, kind="result", status=200, result_text=json.dumps(f"needle{n}" if n == 7 else n))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        history = screen.history
        await wait_until(pilot, lambda: history.option_list.option_count > 0, what="the first page")
        assert history.option_list.option_count == PAGE_SIZE and history.has_more
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: history.option_list.option_count > PAGE_SIZE, what="the second page")
        assert history.option_list.option_count == PAGE_SIZE + 10 and not history.has_more
        history.query_one("#history-search").value = "needle7"
        await wait_until(pilot, lambda: history.option_list.option_count == 1, what="the search result")
        await settle(app, pilot)
        assert history.selected.args == {"key": "k7"}
        await wait_until(pilot, lambda: "needle7" in shown(screen, "#result-body"), what="the entry's result")


async def test_a_search_with_no_match_says_so_and_shows_no_call(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        history, outcome = screen.history, screen.outcome_view
        old = await send(app, pilot, screen, "puter-kvstore", "set", {"key": "old", "value": 1})
        placeholder = history.query_one("#history-no-match")
        assert outcome.call is old and not placeholder.display
        history.query_one("#history-search").value = "nothing-matches-this"
        await wait_until(pilot, lambda: placeholder.display, what="the list to say nothing matches")
        await settle(app, pilot)
        assert history.option_list.option_count == 0 and history.selected is None
        assert str(placeholder.render()) == "no entries match"
        assert outcome.call is None and "no call selected" in shown(screen, "#result-summary")
        sent = await send(app, pilot, screen, "puter-kvstore", "get", {"key": "old"})  # listed above, still none match
        assert history.selected is sent and outcome.call is sent and placeholder.display
        history.query_one("#history-search").value = "old"
        await wait_until(pilot, lambda: history.option_list.option_count == 2, what="both calls found")
        assert not placeholder.display


async def test_server_text_is_shown_literally_not_as_markup(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        hostile = "[bold red]boom[/] \x1b[2J"
        await send(app, pilot, screen, "puter-kvstore", "set", {"key": "hostile", "value": hostile})
        call = await send(app, pilot, screen, "puter-kvstore", "get", {"key": "hostile"})
        assert call.outcome.value == hostile
        body = shown(screen, "#result-body")
        assert "[bold red]boom[/]" in body and "\x1b" not in body
