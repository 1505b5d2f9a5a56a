"""Replay in the TUI goes where the call was made (asking when that is another server), and a diff shows
what was sent as well as what came back."""

from __future__ import annotations

import json

from textual.widgets import Button

from explorer.config import Profile, ProfileStore, paths
from explorer.protocol.client import Connection
from explorer.protocol.request import CallRequest
from explorer.tui.screens.diff import DiffScreen
from explorer.tui.screens.replay_where import ReplayWhereScreen
from explorer.tui.widgets.catalog_tree import MethodRef

from .conftest import SIZE, ready, settle, wait_until


async def stored(server, tmp_path, key):
    connection = Connection(server.origin, server.token, download_dir=tmp_path / "check")
    try:
        return (await connection.call(CallRequest("puter-kvstore", "get", {"key": key}))).value
    finally:
        await connection.aclose()


async def send(app, pilot, screen, method, args):
    screen.open_method(MethodRef("puter-kvstore", method, None))
    screen.editor.text_area.load_text(json.dumps(args))
    await pilot.press("f5")
    await settle(app, pilot)


async def test_a_past_call_from_another_server_is_replayed_where_the_user_chooses(make_app, make_demo_server, tmp_path):
    first, second = make_demo_server(), make_demo_server()
    ProfileStore(paths.profiles_path()).put(Profile(name="first", origin=first.origin, token=first.token),
                                             make_current=False)
    made = make_app(server=first)
    async with made.run_test(size=SIZE) as pilot:
        await send(made, pilot, await ready(made, pilot), "set", {"key": "where", "value": 1})
    app = make_app(server=second)  # the same history, connected to the second server now
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await wait_until(pilot, lambda: screen.history.option_list.option_count == 1, what="the past call")
        screen.history.option_list.highlighted = 0
        screen.history.option_list.focus()
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, ReplayWhereScreen), what="the question")
        assert first.origin in str(app.screen.query_one(Button).label)
        app.screen.query_one("#replay-made-on", Button).press()
        await settle(app, pilot)
        replay = app.session.history.list(limit=1)[0]
        assert (replay.origin, replay.kind) == (first.origin, "result")
        await pilot.press("ctrl+r")  # the replay itself was made on the first server too: asked again
        await wait_until(pilot, lambda: isinstance(app.screen, ReplayWhereScreen), what="the question again")
        app.screen.query_one("#replay-here", Button).press()
        await settle(app, pilot)
        assert app.session.history.list(limit=1)[0].origin == second.origin
    assert await stored(first, tmp_path, "where") == 1 and await stored(second, tmp_path, "where") == 1


async def test_the_diff_of_two_sets_shows_their_args(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await send(app, pilot, screen, "set", {"key": "d", "value": 1})
        screen.history.option_list.focus()
        await pilot.press("m")
        await send(app, pilot, screen, "set", {"key": "d", "value": 2})
        screen.history.option_list.focus()
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DiffScreen), what="the diff")
        body = app.screen.query_one("#diff-body").content.plain
    assert body.splitlines() == ["request:", "- $.args.value: 1", "+ $.args.value: 2", "answer: no differences"]


async def test_a_new_call_is_shown_and_selected_whatever_the_search_holds_with_its_id(make_app):
    from textual.widgets import Input

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await send(app, pilot, screen, "set", {"key": "old", "value": 1})
        search = screen.history.query_one("#history-search", Input)
        search.value = "nothing-matches-this"
        await settle(app, pilot)
        assert screen.history.option_list.option_count == 0
        await send(app, pilot, screen, "get", {"key": "old"})
        call = screen.history.selected
        assert call is not None and call.method == "get" and screen.outcome_view.call is call
        assert screen.history.option_list.option_count == 1
        row = str(screen.history.option_list.get_option_at_index(0).prompt)
        assert f"#{call.entry_id} puter-kvstore.get" in row


async def test_two_marks_in_the_history_are_diffed_as_in_compare_and_stay_visible(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        calls = []
        for value in (1, 2, 3):
            await send(app, pilot, screen, "set", {"key": "m", "value": value})
            calls.append(screen.history.selected)
        history = screen.history
        history.option_list.focus()
        for call in calls:  # three marks: the third replaces the oldest
            history.select(call.key)
            await pilot.press("m")
        assert [c.key for c in history.marks] == [calls[1].key, calls[2].key]
        rows = {c.key: str(history.option_list.get_option(c.key).prompt) for c in calls}
        assert "◆" not in rows[calls[0].key] and "◆" in rows[calls[1].key] and "◆" in rows[calls[2].key]
        history.select(calls[0].key)  # the selection does not matter with two marks
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DiffScreen), what="the diff")
        assert f"#{calls[1].entry_id}" in app.screen.old_label and f"#{calls[2].entry_id}" in app.screen.new_label
        body = app.screen.query_one("#diff-body").content.plain
    assert "- $.args.value: 2" in body and "+ $.args.value: 3" in body
