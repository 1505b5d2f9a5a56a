"""History you can trust: a replay made elsewhere asks where (Escape cancels), saving a copy asks where and
says where it went, the view's keys are in the footer, and every focusable widget shows its focus (on the main,
compare and collections screens)."""

from __future__ import annotations

import json
from pathlib import Path

from textual.containers import VerticalScroll
from textual.widgets import Button, Footer, Input
from textual.widgets._footer import FooterKey

from explorer.history import HistoryStore
from explorer.protocol.outcomes import Binary, Exchange
from explorer.tui.calls import Call
from explorer.tui.screens.collections import CollectionScreen
from explorer.tui.screens.compare import CompareScreen
from explorer.tui.screens.main import MainScreen
from explorer.tui.screens.replay_where import ReplayWhereScreen
from explorer.tui.screens.save_copy import SaveCopyScreen
from explorer.tui.views.drivers import AudioView, BinaryView, ImageView
from explorer.tui.views.drivers.actions import BinaryActions, downloads_folder
from explorer.tui.widgets.history_pane import PAGE_SIZE
from explorer.tui.widgets.catalog_tree import MethodRef

from .conftest import SIZE, asking_where, no_blinking, ready, settle, wait_until

ELSEWHERE = "http://elsewhere.example"


def _past_call_elsewhere(home: Path) -> int:
    args = {"key": "k", "value": 1}
    with HistoryStore(home / "history.sqlite3") as store:
        entry_id = store.begin(origin=ELSEWHERE, profile="default", interface="puter-kvstore", service="",
                               method="set", args_json=json.dumps(args), test_mode=False,
                               request_body=json.dumps({"interface": "puter-kvstore", "method": "set", "args": args}))
        store.complete(entry_id, duration_ms=12.0, kind="result", status=200, size=4, result_text="true")
    return entry_id


async def test_escape_cancels_a_replay_made_on_another_server(make_app, explorer_home):
    entry_id = _past_call_elsewhere(explorer_home)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await wait_until(pilot, lambda: screen.history.option_list.option_count == 1, what="the past call")
        screen.history.option_list.highlighted = 0
        screen.history.option_list.focus()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, ReplayWhereScreen), what="the question")
        labels = [str(button.label) for button in app.screen.query(Button)]
        assert labels == [f"Replay on {ELSEWHERE} (where it was made)",
                          f"Replay on {app.session.origin} (connected now)"]
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert [entry.id for entry in app.session.history.list(limit=5)] == [entry_id]  # nothing was sent


def _listed_ids(pane) -> list[int]:
    listed = pane.option_list
    return [pane.calls[listed.get_option_at_index(i).id].entry_id for i in range(listed.option_count)]


async def _looked_elsewhere(app, pilot, pane) -> None:
    """One look at the store for what other programs recorded, waited for (not a poll's timing)."""
    await wait_until(pilot, lambda: not pane.loading, what="the history page")
    pane.look_elsewhere()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_calls_other_programs_record_show_up_and_the_apps_own_are_listed_once(make_app, explorer_home):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-kvstore", "set", None))
        screen.editor.text_area.load_text(json.dumps({"key": "own", "value": 1}))
        await pilot.press("f5")
        await wait_until(pilot, lambda: screen.history.selected is not None
                         and screen.history.selected.entry_id is not None, what="the app's own call")
        own = screen.history.selected.entry_id
        elsewhere = _past_call_elsewhere(explorer_home)  # the command line, say, on the same history file
        await wait_until(pilot, lambda: screen.history.option_list.option_count == 2, timeout=15,
                         what="the other program's call, by the pane's own timer")
        assert _listed_ids(screen.history) == [own, elsewhere]  # each once
        assert screen.history.selected.entry_id == own  # what the user was looking at stays selected
        await _looked_elsewhere(app, pilot, screen.history)  # another look: nothing is added twice
        assert _listed_ids(screen.history) == [own, elsewhere]


async def test_another_programs_call_in_flight_is_shown_finished_once_it_is(make_app, explorer_home):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        pane = screen.history
        with HistoryStore(explorer_home / "history.sqlite3") as other:
            entry_id = other.begin(origin=ELSEWHERE, profile="default", interface="puter-kvstore", service="",
                                   method="get", args_json='{"key": "k"}', test_mode=False, request_body="{}")
            await _looked_elsewhere(app, pilot, pane)
            assert _listed_ids(pane) == [entry_id] and pane.selected.kind == "pending"
            other.complete(entry_id, duration_ms=5.0, kind="result", status=200, size=2, result_text="42")
        await _looked_elsewhere(app, pilot, pane)
        assert _listed_ids(pane) == [entry_id] and pane.selected.kind == "result"
        await wait_until(pilot, lambda: screen.outcome_view.call is pane.selected, what="the finished call shown")


async def test_more_than_a_page_recorded_elsewhere_is_all_reachable_and_a_search_still_filters(make_app,
                                                                                                explorer_home):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        pane = screen.history
        recorded = [_past_call_elsewhere(explorer_home) for _ in range(PAGE_SIZE + 5)]  # `run --repeat 25`, say
        await _looked_elsewhere(app, pilot, pane)
        await wait_until(pilot, lambda: not pane.loading and pane.option_list.option_count == PAGE_SIZE,
                         what="the first page again")
        pane.load_more()
        await wait_until(pilot, lambda: pane.option_list.option_count == len(recorded), what="the rest")
        assert _listed_ids(pane) == recorded[::-1]

        pane.query_one("#history-search", Input).value = "zzz-nothing-like-it"
        await wait_until(pilot, lambda: not pane.loading and pane.option_list.option_count == 0, what="no match")
        _past_call_elsewhere(explorer_home)  # recorded meanwhile, and not a match either
        await _looked_elsewhere(app, pilot, pane)
        assert pane.option_list.option_count == 0 and pane.query_one("#history-no-match").display


def _open_chat(screen) -> None:
    screen.open_method(MethodRef("puter-chat-completion", "complete", None))
    screen.editor.text_area.load_text(json.dumps({"model": "fake", "messages": [{"role": "user", "content": "hi"}]}))


async def _an_image_on_screen(app, pilot):
    screen = await ready(app, pilot)
    screen.open_method(MethodRef("puter-image-generation", "generate", None))
    screen.editor.text_area.load_text(json.dumps({"prompt": "a cat"}))
    await pilot.press("f5")
    await settle(app, pilot)
    view = screen.outcome_view.driver_view
    assert isinstance(view, ImageView)
    return screen, view


def _footer_keys(app) -> dict[str, str]:
    return {key.key: key.description for key in app.screen.query_one(Footer).query(FooterKey)}


async def test_saving_a_copy_asks_where_and_the_view_says_where_it_went(make_app, make_demo_server, tmp_path):
    app = make_app(server=make_demo_server(generation="v1"))
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await _an_image_on_screen(app, pilot)
        view.focus()
        await pilot.pause()
        keys = _footer_keys(app)
        assert (keys.get("o"), keys.get("s")) == ("Open", "Save as")  # the view's keys are in the footer
        await pilot.press("s")
        await wait_until(pilot, lambda: asking_where(app), what="the question where")
        field = app.screen.query_one("#save-copy-path", Input)
        assert Path(field.value) == downloads_folder() / view.actions.source.suggested_name
        await pilot.press("escape")  # cancelled: nothing written, nothing said
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and view.actions.status == ""
        await pilot.press("s")
        await wait_until(pilot, lambda: asking_where(app), what="the question again")
        target = tmp_path / "cat.png"
        app.screen.query_one("#save-copy-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert target.read_bytes() == screen.history.selected.outcome.path.read_bytes()
        assert view.query_one(BinaryActions).status == f"saved to {target}"


async def test_the_answers_keys_work_from_anywhere_and_show_only_when_they_apply(make_app, make_demo_server, tmp_path):
    app = make_app(server=make_demo_server(generation="v1"))
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await _an_image_on_screen(app, pilot)
        await pilot.press("f3")  # from the args editor, far from the view
        await pilot.pause()
        keys = _footer_keys(app)
        assert (keys.get("f7"), keys.get("f9"), keys.get("f10")) == ("View", "Open", "Save as")
        await pilot.press("f10")
        await wait_until(pilot, lambda: asking_where(app), what="the question where")
        target = tmp_path / "from-anywhere.png"
        app.screen.query_one("#save-copy-path", Input).value = str(target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: target.exists() and view.actions.status == f"saved to {target}",
                         what="the copy")
        screen.outcome_view.tabs.active = "tab-headers"
        await pilot.press("f2", "f7")  # from the tree: the View tab, and the view focused
        await pilot.pause()
        assert screen.outcome_view.tabs.active == "tab-view" and app.focused is view

        screen.open_method(MethodRef("puter-kvstore", "set", None))  # a JSON answer: no view, no view keys
        screen.editor.text_area.load_text(json.dumps({"key": "k", "value": 1}))
        await pilot.press("f5")
        await wait_until(pilot, lambda: screen.history.selected.interface == "puter-kvstore"
                         and not screen.history.selected.in_flight, what="the kv call")
        await settle(app, pilot)
        assert screen.outcome_view.driver_view is None
        assert {"f7", "f9", "f10"}.isdisjoint(_footer_keys(app))
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_inside_the_view_the_footer_shows_its_own_keys_and_f1_still_fits(make_app, make_demo_server):
    app = make_app(server=make_demo_server(generation="v1"))
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await _an_image_on_screen(app, pilot)
        await pilot.press("f2", "f7")  # into the view
        await pilot.pause()
        assert app.focused is view
        keys = _footer_keys(app)
        assert (keys.get("o"), keys.get("s")) == ("Open", "Save as") and {"f7", "f9", "f10"}.isdisjoint(keys)
        f1 = next(key for key in app.screen.query(FooterKey) if key.key == "f1")
        assert f1.region.area and f1.region.right <= SIZE[0]  # on screen, not cut off
        await pilot.press("f10")  # unlisted there, the screen's key still works
        await wait_until(pilot, lambda: asking_where(app), what="the question where")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f2")  # out of the view: the screen's keys again
        await pilot.pause()
        keys = _footer_keys(app)
        assert (keys.get("f7"), keys.get("f9"), keys.get("f10")) == ("View", "Open", "Save as") and "o" not in keys

        screen.open_method(MethodRef("puter-tts", "synthesize", None))  # audio: its o plays, as its button says
        screen.editor.text_area.load_text(json.dumps({"text": "hello"}))
        await pilot.press("f5")
        await settle(app, pilot)
        audio = screen.outcome_view.driver_view
        assert isinstance(audio, AudioView)
        await pilot.press("f7")
        await wait_until(pilot, lambda: str(audio.query_one("#open-button", Button).label) == "Play (o)",
                         what="the audio's buttons")
        keys = _footer_keys(app)
        assert app.focused is audio and keys.get("o") == "Play" and "f9" not in keys
        await pilot.press("f2")
        await pilot.pause()
        assert _footer_keys(app).get("f9") == "Open"


async def test_f7_on_a_chat_goes_to_its_reply_box(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        _open_chat(screen)
        await pilot.press("f5")
        await settle(app, pilot)
        await wait_until(pilot, lambda: screen.outcome_view.driver_view is not None,
                         what=f"the chat view ({screen.history.selected.outcome})")
        keys = _footer_keys(app)
        assert keys.get("f7") == "View" and "f10" not in keys  # a chat is not saved as bytes
        await pilot.press("f2", "f7")
        await pilot.pause()
        assert app.focused is screen.outcome_view.driver_view.query_one("#chat-input", Input)


async def test_a_file_that_appears_after_the_question_is_asked_about_again_not_overwritten(make_app,
                                                                                           make_demo_server, tmp_path):
    app = make_app(server=make_demo_server(generation="v1"))
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await _an_image_on_screen(app, pilot)
        target = tmp_path / "taken.png"
        target.write_bytes(b"written meanwhile by someone else")
        view.actions._save(view.actions.source, target, False)  # as the dialog answered before the file was there
        await wait_until(pilot, lambda: asking_where(app), what="the question again")
        assert Path(app.screen.query_one("#save-copy-path", Input).value) == target
        assert target.read_bytes() == b"written meanwhile by someone else"
        await pilot.press("enter")  # it exists: the dialog asks for Enter once more
        await wait_until(pilot, lambda: "exists: press Enter again" in app.screen.problem, what="the warning")
        await pilot.press("enter")
        await wait_until(pilot, lambda: view.actions.status == f"saved to {target}", what="the overwrite")
        assert target.read_bytes() == screen.history.selected.outcome.path.read_bytes()


def _drawn(widget) -> list:
    """What the screen shows where `widget` is (with its children), text and styles."""
    region = widget.region
    strips = widget.screen._compositor.render_strips()[region.y:region.bottom]
    return [(segment.text, str(segment.style)) for strip in strips
            for segment in strip.crop(region.x, region.right)]


async def _not_showing_focus(app, pilot, screen) -> list[str]:
    no_blinking(screen)
    unmarked = []
    for widget in [w for w in screen.focus_chain if w.region.area]:
        app.set_focus(None)
        await pilot.pause()
        blurred = _drawn(widget)
        widget.focus()
        await pilot.pause()
        if _drawn(widget) == blurred:
            unmarked.append(f"{type(widget).__name__}#{widget.id}")
    return unmarked


async def test_every_focusable_widget_shows_its_focus(make_app, make_demo_server, tmp_path):
    app = make_app(server=make_demo_server(generation="v1"))
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await _an_image_on_screen(app, pilot)
        assert sum(isinstance(w, ImageView) for w in screen.focus_chain) == 1 and len(screen.focus_chain) > 5
        assert await _not_showing_focus(app, pilot, screen) == []
        body = tmp_path / "blob.bin"  # a view that scrolls: bytes no other view knows
        body.write_bytes(bytes(range(256)))
        call = Call(key="blob", interface="test-drivers", method="blob", service=None, args={})
        call.finish(9, Binary(Exchange("POST", "http://h/drivers/call", {}, "{}", status=200), body,
                              "application/octet-stream", 256, "0" * 64, "blob.bin"))
        screen.history.add_call(call)
        await settle(app, pilot)
        assert isinstance(screen.outcome_view.driver_view, BinaryView)
        assert any(isinstance(w, VerticalScroll) for w in screen.focus_chain)
        assert await _not_showing_focus(app, pilot, screen) == []


async def test_every_focusable_widget_of_compare_and_collections_shows_its_focus(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        _open_chat(screen)
        await pilot.press("f8")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), what="the compare screen")
        compare = app.screen
        await wait_until(pilot, lambda: len(compare.services) > 1, what="the models of the server")
        await pilot.press("r")
        await settle(app, pilot)
        assert compare.table.row_count == 1
        chain = [f"{type(w).__name__}#{w.id}" for w in compare.focus_chain]
        assert {"VerticalScroll#compare-services", "DataTable#compare-table", "Button#compare-run"} <= set(chain)
        assert await _not_showing_focus(app, pilot, compare) == []
        await pilot.press("escape", "f6")
        await wait_until(pilot, lambda: isinstance(app.screen, CollectionScreen), what="the collections screen")
        collections = app.screen
        await pilot.pause()
        assert len(collections.focus_chain) >= 2
        assert await _not_showing_focus(app, pilot, collections) == []


# -- snapshots ---------------------------------------------------------------------------------------


def test_snapshot_of_the_question_where_to_replay(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)
        pilot.app.push_screen(ReplayWhereScreen(7, "https://puter.example", "http://demo.example"))
        await pilot.pause()

    assert snap_compare(make_app(origin_label="http://demo.example"), terminal_size=SIZE, run_before=run_before)


def test_snapshot_of_the_question_where_to_save(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)
        pilot.app.push_screen(SaveCopyScreen("a copy", Path("Downloads") / "image.png"))
        await pilot.pause()
        no_blinking(pilot.app.screen)

    assert snap_compare(make_app(origin_label="http://demo.example"), terminal_size=SIZE, run_before=run_before)
