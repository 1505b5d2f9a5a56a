"""What the args editor knows beyond the parameters, against the real demo server: models from the server's own
list, test mode on for methods that cost money, known limits, and what a 401, 403 or 429 means on Puter."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from types import SimpleNamespace

from explorer.model_lists import models_from_answer
from explorer.protocol.outcomes import DriverError, Exchange, normalise_code
from explorer.session import open_session
from explorer.tui import hints
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.model_picker import ModelPicker
from explorer.tui.widgets.catalog_tree import MethodRef

from .conftest import SIZE, ready, settle, shown, wait_until
from .test_calls import send


def editor_args(screen) -> dict:
    return json.loads(screen.editor.text_area.text)


def ticked_test_mode(screen) -> bool:
    return screen.query_one("#test-mode").value


# -- models ------------------------------------------------------------------------------------------


async def test_model_completes_from_the_servers_list_once_per_server(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-chat-completion", "complete", None))
        assert editor_args(screen)["model"] == "fake"  # a fresh chat template uses the free model
        await pilot.press("ctrl+t")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        await wait_until(pilot, lambda: not picker.fetching, timeout=5, what="the server's models")
        # "costly" and "abuse" come only from the server's `models` answer
        assert {"abuse", "costly", "fake"} <= set(picker.shown)
        await pilot.press(*"cost", "enter")
        await pilot.pause()
        assert app.screen is screen
        args = editor_args(screen)
        assert args["model"] == "costly" and args["messages"][0]["content"] == "Say hello"
        assert screen.editor.model_fetches == 1
        assert app.session.history.count() == 0  # reading the list is not a call the user made
        # the second time the list is already there
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, ModelPicker) and not app.screen.fetching
        assert "costly" in app.screen.shown and screen.editor.model_fetches == 1
        await pilot.press(*"my-own-model", "enter")  # a name that is not listed is used as typed
        await pilot.pause()
        assert editor_args(screen)["model"] == "my-own-model"


async def test_model_key_is_only_offered_where_a_model_list_exists(make_app, make_demo_server):
    server = make_demo_server(generation="v1")
    app = make_app(server=server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-kvstore", "get", None))
        assert screen.editor.check_action("pick_model", ()) is False
        await pilot.press("ctrl+t")
        assert app.screen is screen
        # v1 image generation takes a model but has no list: only what is known without asking
        screen.open_method(MethodRef("puter-image-generation", "generate", None))
        await pilot.press("ctrl+t")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        await wait_until(pilot, lambda: not picker.fetching, timeout=5, what="the picker to settle")
        assert picker.shown == [] and "no model list" in (picker.note or "")
        assert screen.editor.model_fetches == 0


def test_with_model_keeps_the_layout_when_it_can():
    text = '{\n  "model": "fake",\n  "messages": [{"role": "user", "content": "hi"}]\n}'
    replaced = hints.with_model(text, json.loads(text), 'say "x"')
    assert replaced == text.replace('"fake"', '"say \\"x\\""')
    nested = '{"messages": [{"model": "inner"}], "model": "outer"}'  # two matches: rebuilt instead
    assert json.loads(hints.with_model(nested, json.loads(nested), "new")) == {
        "messages": [{"model": "inner"}], "model": "new"}
    assert hints.with_model("[1]", [1], "x") is None


def test_models_from_answer_takes_ids_and_objects_and_skips_junk():
    answer = [{"id": "a", "provider": "p"}, "b", {"id": 3}, None, "a", "x" * 500, {"name": "c"}]
    assert [(m.name, m.detail) for m in models_from_answer(answer)] == [("a", "p"), ("b", ""), ("c", "")]
    assert models_from_answer({"models": ["z"]})[0].name == "z"
    assert models_from_answer("nope") == []


# -- test mode and limits ----------------------------------------------------------------------------


async def test_a_costly_method_starts_in_test_mode_and_says_so(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-ocr", "recognize", None))
        assert ticked_test_mode(screen) is True
        assert "test mode is on" in shown(screen, "#args-cost")
        call = await send(app, pilot, screen, "puter-ocr", "recognize", {"source": "data:image/png;base64,AAAA"})
        assert call.test_mode is True and json.loads(call.request_body)["args"]["test_mode"] is True
        assert call.kind == "result" and "sample" in json.dumps(call.outcome.value)  # not billed: a sample
        # a free method: no test mode, no cost line
        screen.open_method(MethodRef("puter-kvstore", "get", None))
        assert ticked_test_mode(screen) is False and not screen.query_one("#args-cost").display
        # unticked by hand, it stays unticked for that method
        screen.open_method(MethodRef("puter-ocr", "recognize", None))
        await pilot.pause()
        assert str(screen.query_one("#test-mode").label) == "test mode: on"  # the state in words too
        screen.query_one("#test-mode").value = False
        await pilot.pause()
        assert "this call is billed" in shown(screen, "#args-cost")
        assert str(screen.query_one("#test-mode").label) == "test mode: off"
        screen.open_method(MethodRef("puter-kvstore", "get", None))
        screen.open_method(MethodRef("puter-ocr", "recognize", None))
        assert ticked_test_mode(screen) is False


async def test_v2_chat_ignores_test_mode_so_the_free_model_is_offered(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-chat-completion", "complete", None))
        assert ticked_test_mode(screen) is False
        assert 'model: "fake" answers for free' in shown(screen, "#args-cost")
        screen.editor.text_area.load_text(json.dumps({"model": "costly", "messages": []}))
        await pilot.pause()
        cost = shown(screen, "#args-cost")
        assert "ignores test mode" in cost and '"fake"' in cost
        assert "model (string; ctrl+t picks" in shown(screen, "#args-optional")


async def test_known_limits_show_beside_the_parameters(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        screen.open_method(MethodRef("puter-kvstore", "list", None))
        assert "as (string; keys | values | entries)" in shown(screen, "#args-optional")
        screen.open_method(MethodRef("puter-tts", "synthesize", None))
        assert "limits: in test mode a v2 server answers JSON" in shown(screen, "#args-optional")
        screen.open_method(MethodRef("puter-kvstore", "set", None))
        screen.editor.text_area.load_text(json.dumps({"key": "big", "value": "a" * 409_000}))
        await pilot.pause()
        assert "refuses more than 408,576" in shown(screen, "#args-status")


# -- what an error means -----------------------------------------------------------------------------


async def test_a_429_says_a_retry_makes_sense(make_app, make_demo_server):
    server = make_demo_server(rate_limits={"puter-kvstore.get": 1})
    app = make_app(server=server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        first = await send(app, pilot, screen, "puter-kvstore", "get", {"key": "k"})
        assert first.kind == "result" and not screen.query_one("#args-hint").display
        limited = await send(app, pilot, screen, "puter-kvstore", "get", {"key": "k"})
        assert limited.kind == "driver_error" and limited.status == 429
        await wait_until(pilot, lambda: screen.query_one("#args-hint").display, timeout=5, what="the hint")
        hint = shown(screen, "#args-hint")
        assert "429" in hint and "a retry makes sense" in hint and "no Retry-After" in hint
        screen.history.select(first.key)  # the hint follows the call selected in the history
        await wait_until(pilot, lambda: not screen.query_one("#args-hint").display, timeout=5, what="no hint")


async def test_a_v1_rate_limit_inside_http_200_names_its_limit(make_app, make_demo_server):
    server = make_demo_server(generation="v1", rate_limits={"puter-kvstore.get": 1})
    app = make_app(server=server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        await send(app, pilot, screen, "puter-kvstore", "get", {"key": "k"})
        limited = await send(app, pilot, screen, "puter-kvstore", "get", {"key": "k"})
        assert limited.status == 200 and limited.kind == "driver_error"
        await wait_until(pilot, lambda: screen.query_one("#args-hint").display, timeout=5, what="the hint")
        assert "the limit is 1 call per 60 s" in shown(screen, "#args-hint")


async def test_a_401_says_to_log_in_again(demo_server, explorer_home):
    def session():
        return open_session(origin=demo_server.origin, token="not-the-token",
                            history_path=explorer_home / "history.sqlite3")

    app = ExplorerApp(session_factory=session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        call = await send(app, pilot, screen, "puter-kvstore", "get", {"key": "k"})
        assert call.status == 401 and call.outcome.code == "token_auth_failed"
        await wait_until(pilot, lambda: screen.query_one("#args-hint").display, timeout=5, what="the hint")
        hint = shown(screen, "#args-hint")
        assert "401" in hint and "Log in again" in hint and "not-the-token" not in hint


async def test_a_403_says_the_token_may_not_use_the_driver(make_app, make_demo_server):
    server = make_demo_server(forbidden_drivers=["puter-kvstore"])
    app = make_app(server=server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        call = await send(app, pilot, screen, "puter-kvstore", "get", {"key": "k"})
        assert call.status == 403
        await wait_until(pilot, lambda: screen.query_one("#args-hint").display, timeout=5, what="the hint")
        assert "403: this token may not use the driver" in shown(screen, "#args-hint")
        await settle(app, pilot)


def test_retry_after_reads_seconds_and_dates():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert hints.retry_after([("Retry-After", "5")], now) == 5
    assert hints.retry_after([("retry-after", "Thu, 01 Jan 2026 12:00:30 GMT")], now) == 30
    assert hints.retry_after([("Retry-After", "soon")], now) is None
    assert hints.retry_after([], now) is None


def test_hints_for_what_the_demo_cannot_answer():
    def error(status, code, headers=(), nominal=None, message="m"):
        exchange = Exchange("POST", "http://x/drivers/call", {}, "{}", status=status, response_headers=list(headers))
        outcome = DriverError(exchange, code, message, status, nominal, normalise_code(code))
        return SimpleNamespace(outcome=outcome, entry=None)

    assert hints.outcome_hint(error(402, "insufficient_funds")).startswith("402: the account has no credit")
    assert "Retry-After" not in hints.outcome_hint(error(503, "db_unavailable", [("Retry-After", "5")]))
    assert "asks to wait 5 s" in hints.outcome_hint(error(503, "db_unavailable", [("Retry-After", "5")]))
    concurrent = "Too many concurrent requests."
    busy = hints.outcome_hint(error(429, "too_many_requests", [("Retry-After", "2")], message=concurrent))
    assert "in flight at once" in busy and "asks to wait 2 s" in busy
    assert "verify the account's phone" in hints.outcome_hint(error(403, "phone_verification_required"))
    assert hints.outcome_hint(error(400, "bad_request")) is None
    assert hints.outcome_hint(error(200, "rate_limit_exceeded", nominal=429)).startswith("429")  # a v1 envelope
