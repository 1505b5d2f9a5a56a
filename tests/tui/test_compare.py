"""Compare: one method's args run on several services of its interface, or on several models of the server's
list, side by side, each a history entry, against the real demo server (its `costly` chat model and its
second TTS voice answer differently)."""

from __future__ import annotations

import json

from explorer.tui.screens.compare import CompareScreen
from explorer.tui.screens.diff import DiffScreen
from explorer.tui.widgets.catalog_tree import MethodRef

from .conftest import SIZE, palette_offers, ready, settle, wait_until

CHAT_ARGS = {"model": "fake", "messages": [{"role": "user", "content": "compare these two"}]}


async def open_compare(app, pilot, screen, interface: str, method: str, args, key: str = "ctrl+k") -> CompareScreen:
    screen.open_method(MethodRef(interface, method, None))
    screen.editor.text_area.load_text(json.dumps(args))
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(app.screen, CompareScreen), "the compare screen did not open"
    return app.screen


def diff_body(diff: DiffScreen) -> str:
    return diff.query_one("#diff-body").content.plain


async def test_compare_runs_the_chat_on_two_models_side_by_side_and_diffs_them(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        compare = await open_compare(app, pilot, screen, "puter-chat-completion", "complete", CHAT_ARGS)
        # one chat service, as on real servers; the models come from the server's own list
        await wait_until(pilot, lambda: len(compare.services) > 1, what="the models of the server")
        names = [name for name, _, _ in compare.services]
        assert names[0] == "ai-chat" and {"model fake", "model costly"} <= set(names[1:])
        compare.query_one("#service-0").value = False
        for name in ("model fake", "model costly"):
            compare.query_one(f"#service-{names.index(name)}").value = True
        await pilot.pause()
        await pilot.press("r")
        assert set(compare.rows) == {"model fake", "model costly"}
        await wait_until(pilot, lambda: not compare.running, timeout=10, what="both rows to finish")
        await wait_until(pilot, lambda: all(str(compare.table.get_row(s)[3]) == "200" for s in compare.rows),
                         what="the table to show both answers")
        calls = compare.rows
        assert [c.kind for c in calls.values()] == ["result", "result"]
        assert [c.args["model"] for c in calls.values()] == ["costly", "fake"]  # in the server's list order
        table = compare.table
        for target, call in calls.items():  # the rows show status, time, size, tokens and the answer
            row = [str(cell) for cell in table.get_row(target)]
            assert row[1] == target and "result" in row[2] and row[3] == "200"
            assert row[4].endswith("ms") and row[5] == f"{call.size} B"
            usage = call.outcome.value["usage"]
            assert row[6] == f"{usage['input_tokens']}/{usage['output_tokens']}"
        assert "This is a fake answer" in str(table.get_row("model fake")[7])
        assert "Second opinion from costly" in str(table.get_row("model costly")[7])
        # each run is a history entry of its own, recorded with its model
        ids = [c.entry_id for c in calls.values()]
        assert None not in ids and len(set(ids)) == 2
        store = app.session.history
        assert [store.get(i).args["model"] for i in ids] == ["costly", "fake"]
        assert all(c.key in screen.history.calls for c in calls.values())
        await pilot.press("d")  # two rows, nothing marked: those two
        await wait_until(pilot, lambda: isinstance(app.screen, DiffScreen), timeout=5, what="the diff")
        diff = app.screen
        assert "model costly" in diff.old_label and "model fake" in diff.new_label
        body = diff_body(diff)
        assert "- $.message.content[0].text: \"Second opinion from costly" in body
        assert "+ $.message.content[0].text: \"This is a fake answer" in body
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is compare


async def test_compare_on_v1_ticks_only_the_services_the_server_lists_and_marks_rows(make_app, make_demo_server):
    server = make_demo_server(generation="v1")
    app = make_app(server=server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        compare = await open_compare(app, pilot, screen, "puter-tts", "synthesize", {"text": "two voices"})
        ticks = {name: ticked for name, ticked, _ in compare.services}
        assert ticks == {"aws-polly": True, "openai-tts": True, "elevenlabs-tts": False}  # the last: catalogue only
        await pilot.press("r")
        await wait_until(pilot, lambda: not compare.running, timeout=10, what="both rows to finish")
        polly, openai = compare.rows["aws-polly"], compare.rows["openai-tts"]
        assert (polly.kind, openai.kind) == ("binary", "binary")
        assert polly.outcome.sha256 != openai.outcome.sha256  # another voice, another tone
        assert polly.outcome.size == openai.outcome.size
        # mark the second row, then the first: the diff goes from the first mark to the second
        compare.table.focus()
        await pilot.press("down", "m", "up", "m")
        assert compare.marked == ["openai-tts", "aws-polly"]
        assert str(compare.table.get_row("openai-tts")[0]) == "◆"
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DiffScreen), timeout=5, what="the diff")
        body = diff_body(app.screen)
        assert f"- $.sha256: \"{openai.outcome.sha256}\"" in body
        assert f"+ $.sha256: \"{polly.outcome.sha256}\"" in body
        await settle(app, pilot)


async def test_unticked_services_are_not_called_and_the_palette_opens_compare(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-tts", "synthesize", None))
        screen.editor.text_area.load_text(json.dumps({"text": "hi"}))
        await pilot.press("ctrl+p", *"compare: run")
        await palette_offers(pilot, "compare: run on every service")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen), timeout=5, what="the compare screen")
        compare = app.screen
        assert len(compare.services) == 7 and all(ticked for _, ticked, _ in compare.services)
        await pilot.press("a")  # untick all
        await pilot.pause()
        assert compare.ticked() == []
        await pilot.press("r")
        assert compare.rows == {} and screen.history.calls == {}
        names = [name for name, _, _ in compare.services]
        for name in ("ai-tts", "openai-tts"):
            compare.query_one(f"#service-{names.index(name)}").value = True
        await pilot.pause()
        await pilot.press("r")
        await wait_until(pilot, lambda: not compare.running, timeout=10, what="the two rows")
        assert sorted(compare.rows) == ["ai-tts", "openai-tts"]
        assert len(screen.history.calls) == 2
        assert all(c.test_mode for c in compare.rows.values())  # the editor's test mode goes with each run


async def test_compare_refuses_invalid_args(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-kvstore", "get", None))
        screen.editor.text_area.load_text('{"key": ')
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert not isinstance(app.screen, CompareScreen)
        assert any("not valid JSON" in n.message for n in app._notifications)
