"""Each demo driver over loopback, in both generations: results, media files, streams, entities."""

from __future__ import annotations

import base64
import io
import json
import struct
import wave
import zlib

import httpx
import pytest

from tests.demo.talk import call, client, shape
from tests.puter_fixtures import FIXTURES_DIR, load

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_png(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    assert zlib.crc32(data[12:29]) & 0xFFFFFFFF == struct.unpack(">I", data[29:33])[0]
    return width, height


def fixture_json(generation: str, name: str):
    return json.loads(load(FIXTURES_DIR / generation / f"{name}.txt").body)


@pytest.fixture(params=["v2", "v1"])
def server(request, demo_server, demo_server_v1):
    return demo_server if request.param == "v2" else demo_server_v1


def chat(server, **args):
    args.setdefault("messages", [{"role": "user", "content": "Say hello"}])
    return call(server, "puter-chat-completion", "complete", args, driver="ai-chat", service="ai-chat")


# -- kv ---------------------------------------------------------------------------------------


def test_kv_values_round_trip_and_list_in_both_generations(server):
    assert call(server, "puter-kvstore", "set", {"key": "rt-a", "value": {"n": [1, 2]}}).json()["result"] is True
    assert call(server, "puter-kvstore", "get", {"key": "rt-a"}).json()["result"] == {"n": [1, 2]}
    keys = call(server, "puter-kvstore", "list", {"as": "keys"}).json()["result"]
    assert "rt-a" in keys and keys == sorted(keys)
    assert call(server, "puter-kvstore", "del", {"key": "rt-a"}).json()["result"] is True
    assert call(server, "puter-kvstore", "get", {"key": "rt-a"}).json()["result"] is None


def test_kv_counters_and_paths(server):
    assert call(server, "puter-kvstore", "incr", {"key": "ctr", "pathAndAmountMap": {"": 3}}).json()["result"] == 3
    assert call(server, "puter-kvstore", "decr", {"key": "ctr", "pathAndAmountMap": {"": 1}}).json()["result"] == 2
    stats = call(server, "puter-kvstore", "incr", {"key": "st", "pathAndAmountMap": {"a.b": 2}}).json()
    assert stats["result"] == {"a": {"b": 2}}


def test_kv_expire_makes_a_key_vanish(demo_server):
    call(demo_server, "puter-kvstore", "set", {"key": "short", "value": 1})
    answer = call(demo_server, "puter-kvstore", "expireAt", {"key": "short", "timestamp": 1})
    assert "result" not in answer.json()  # like the real servers, no result at all
    assert call(demo_server, "puter-kvstore", "get", {"key": "short"}).json()["result"] is None


def test_v2_kv_object_methods_match_the_captured_results(demo_server):
    call(demo_server, "puter-kvstore", "set", {"key": "obj", "value": {"a": 1, "nested": {"b": [1, 2, 3]}}})
    updated = call(demo_server, "puter-kvstore", "update", {"key": "obj", "pathAndValueMap": {"nested.c": "new", "a": 2}})
    assert updated.json()["result"] == fixture_json("v2", "kv-update")["result"]
    added = call(demo_server, "puter-kvstore", "add", {"key": "obj", "pathAndValueMap": {"nested.b": 4}})
    assert added.json()["result"] == fixture_json("v2", "kv-add")["result"]
    removed = call(demo_server, "puter-kvstore", "remove", {"key": "obj", "paths": ["nested.c"]})
    assert removed.json()["result"] == fixture_json("v2", "kv-remove")["result"]


def test_v2_kv_list_pages_with_a_cursor(make_demo_server):
    server = make_demo_server()
    call(server, "puter-kvstore", "batchPut", {"items": [{"key": f"p{i}", "value": i} for i in range(3)]})
    first = call(server, "puter-kvstore", "list", {"limit": 2, "includeTotal": True}).json()["result"]
    assert [i["key"] for i in first["items"]] == ["p0", "p1"] and first["total"] == 3
    second = call(server, "puter-kvstore", "list", {"limit": 2, "cursor": first["cursor"]}).json()["result"]
    assert [i["key"] for i in second["items"]] == ["p2"] and "cursor" not in second


def test_v1_kv_has_only_the_v1_methods_and_drops_undeclared_args(demo_server_v1):
    error = call(demo_server_v1, "puter-kvstore", "batchPut", {"items": []}).json()["error"]
    assert error["code"] == "method_not_found"
    call(demo_server_v1, "puter-kvstore", "set", {"key": "zz-v1", "value": 1})
    listed = call(demo_server_v1, "puter-kvstore", "list", {"as": "keys", "pattern": "nothing*"}).json()
    assert "zz-v1" in listed["result"]  # `pattern` is not declared in v1, so it is ignored


def test_kv_value_too_large_is_refused(server):
    answer = call(server, "puter-kvstore", "set", {"key": "big", "value": "a" * 500_000})
    assert "success" not in answer.json() if server.generation == "v2" else answer.json()["success"] is False


# -- chat -------------------------------------------------------------------------------------


def test_fake_chat_answers_like_the_capture(server):
    answer = chat(server, model="fake")
    assert answer.status_code == 200
    name = "chat-complete-fake" if server.generation == "v2" else "chat-complete-test_mode-model-fake"
    want = fixture_json(server.generation, name)
    want["metadata"].pop("usage_limited", None)  # the v1 capture was downgraded to a usage-limited model
    assert shape(answer.json()) == shape(want)
    assert answer.json()["result"]["message"]["content"][0]["text"]


def test_fake_chat_streams_ndjson_chunk_by_chunk(make_demo_server):
    server = make_demo_server(stream_delay=0.05)
    body = {"interface": "puter-chat-completion", "driver": "ai-chat", "method": "complete",
            "args": {"model": "fake", "stream": True, "messages": [{"role": "user", "content": "hi"}]}}
    reads = []
    with client(server) as http, http.stream("POST", "/drivers/call", json=body) as answer:
        assert answer.headers["content-type"].startswith("application/x-ndjson")
        assert "content-length" not in answer.headers  # chunked
        for raw in answer.iter_raw():
            reads.append(raw)
    lines = [json.loads(line) for line in b"".join(reads).splitlines() if line.strip()]
    assert len(reads) > 1  # the text came in several reads, not one body at the end
    assert [line["type"] for line in lines[:-1]] == ["text"] * (len(lines) - 1) and len(lines) >= 4
    assert lines[-1]["type"] == "usage" and "usage" in lines[-1]
    assert "".join(line["text"] for line in lines[:-1]).startswith("This is a fake answer")


def test_chat_list_and_models(server):
    assert "fake" in call(server, "puter-chat-completion", "list", {}, driver="ai-chat", service="ai-chat").json()["result"]
    models = call(server, "puter-chat-completion", "models", {}, driver="ai-chat", service="ai-chat").json()["result"]
    assert shape(models[0]) == shape(fixture_json(server.generation, "chat-models")["result"][0])


def test_v1_accepts_the_fake_chat_alias_and_needs_a_driver(demo_server_v1):
    answer = call(demo_server_v1, "puter-chat-completion", "complete",
                  {"model": "fake", "messages": [{"role": "user", "content": "x"}]}, service="fake-chat")
    assert answer.json()["service"] == {"name": "ai-chat"}
    bare = call(demo_server_v1, "puter-chat-completion", "list", {})
    assert bare.json()["error"]["code"] == "no_implementation_available"


def test_public_chat_model_list_needs_no_token(demo_server, demo_server_v1):
    assert httpx.get(demo_server.origin + "/puterai/chat/models").json() == {"models": []}  # v2 hides fakes
    assert "fake" in httpx.get(demo_server_v1.origin + "/puterai/chat/models").json()["models"]


# -- media ------------------------------------------------------------------------------------


def test_tts_synthesize_returns_a_real_wav(server):
    driver = "ai-tts" if server.generation == "v2" else "aws-polly"
    answer = call(server, "puter-tts", "synthesize", {"text": "hello"}, driver=driver, service=driver)
    assert answer.status_code == 200 and answer.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(answer.content)) as sound:
        assert (sound.getnchannels(), sound.getsampwidth()) == (1, 2)
        assert 0.4 < sound.getnframes() / sound.getframerate() < 0.6


def test_tts_lists_voices(server):
    voices = call(server, "puter-tts", "list_voices", {}).json()["result"]
    assert voices and {"id", "name", "language"} <= set(voices[0])


def test_image_generation_is_png_bytes_in_v1(demo_server_v1):
    answer = call(demo_server_v1, "puter-image-generation", "generate", {"prompt": "a cat"}, driver="ai-image")
    assert answer.headers["content-type"] == "image/png"
    assert check_png(answer.content) == (64, 64)


def test_image_generation_is_a_data_uri_result_in_v2(demo_server):
    answer = call(demo_server, "puter-image-generation", "generate", {"prompt": "a cat", "width": 32, "height": 16})
    result = answer.json()["result"]
    assert result.startswith("data:image/png;base64,")
    assert check_png(base64.b64decode(result.split(",", 1)[1])) == (32, 16)


def test_ocr_answers_only_in_test_mode(server):
    top = {"test_mode": True} if server.generation == "v1" else {}
    args = {"source": "data:image/png;base64,AAAA", "test_mode": True}
    answer = call(server, "puter-ocr", "recognize", args, **top).json()
    assert answer["result"] == fixture_json("v2", "ocr-recognize-test_mode")["result"]
    failing = call(server, "puter-ocr", "recognize", {"source": "data:image/png;base64,AAAA"})
    assert failing.status_code == (500 if server.generation == "v2" else 200)
    assert "result" not in failing.json()


# -- apps and notifications -------------------------------------------------------------------


def test_apps_crud(server):
    v1 = server.generation == "v1"
    obj = {"name": f"demo-app-{server.generation}", "title": "Demo", "index_url": "http://example.localhost/i.html"}
    created = call(server, "puter-apps", "create", {"object": obj}).json()
    want = fixture_json(server.generation, "apps-create")
    assert set(created) == set(want) and set(created["result"]) <= set(want["result"]) | {"description"}
    uid = created["result"]["uid"]
    duplicate = call(server, "puter-apps", "create", {"object": obj})
    want_dup = fixture_json(server.generation, "apps-create-duplicate-name")
    code = duplicate.json()["error"]["code"] if v1 else duplicate.json()["code"]
    assert code == "app_name_already_in_use" and duplicate.status_code == (200 if v1 else 400)
    assert shape(duplicate.json()) == shape(want_dup)
    read = call(server, "puter-apps", "read", {"id": {"name": obj["name"]}}).json()
    assert read["result"]["uid"] == uid
    assert set(read["result"]) >= set(fixture_json(server.generation, "apps-read-by-name")["result"]) - {"subdomain"}
    update_args = {"id": {"name": obj["name"]}, "object": {"title": "Renamed"}} if v1 else {"uid": uid, "object": {"title": "Renamed"}}
    assert call(server, "puter-apps", "update", update_args).json()["result"]["title"] == "Renamed"
    assert any(a["uid"] == uid for a in call(server, "puter-apps", "select", {}).json()["result"])
    deleted = call(server, "puter-apps", "delete", {"uid": uid}).json()
    assert shape(deleted) == shape(fixture_json(server.generation, "apps-delete"))
    gone = call(server, "puter-apps", "read", {"uid": uid})
    assert shape(gone.json()) == shape(fixture_json(server.generation, "apps-read-deleted"))
    assert gone.status_code == (200 if v1 else 404)


def test_v2_notifications_lifecycle(demo_server):
    created = call(demo_server, "puter-notifications", "create", {"object": {"value": {"title": "hi", "text": "from a test"}}}).json()
    assert shape(created) == shape(fixture_json("v2", "notifications-create"))
    uid = created["result"]["uid"]
    for method in ("mark_shown", "mark_acknowledged"):
        marked = call(demo_server, "puter-notifications", method, {"uid": uid}).json()
        assert marked == {"success": True, "result": {"success": True}, "service": {"name": "es:notification"}}
    read = call(demo_server, "puter-notifications", "read", {"uid": uid}).json()["result"]
    assert isinstance(read["shown"], int) and isinstance(read["acknowledged"], int)
    assert shape(read) == shape(fixture_json("v2", "notifications-read")["result"])
    assert call(demo_server, "puter-notifications", "select", {}).json()["result"][0]["uid"] == uid


# -- second services (to compare services offline) ----------------------------------------------------


def tone_crossings(data: bytes) -> int:
    """Sign changes of a mono 16-bit WAV: twice its frequency per second of sound."""
    with wave.open(io.BytesIO(data)) as sound:
        frames = sound.readframes(sound.getnframes())
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    return sum(1 for a, b in zip(samples, samples[1:]) if (a < 0) != (b < 0))


def test_a_second_model_answers_differently_on_both_generations(server):
    args = {"model": "fake", "messages": [{"role": "user", "content": "one two three"}]}
    first = call(server, "puter-chat-completion", "complete", args, driver="ai-chat", service="ai-chat").json()
    second = call(server, "puter-chat-completion", "complete", {**args, "model": "costly"},
                  driver="ai-chat", service="ai-chat").json()
    text = second["result"]["message"]["content"][0]["text"]
    assert text.startswith("Second opinion from costly: your message has 3 words.")
    assert text != first["result"]["message"]["content"][0]["text"]
    assert shape(second) == shape(first)  # the same envelope and result shape
    assert second["result"]["message"]["model"] == "costly"


def test_a_second_tts_service_speaks_another_tone(server):
    second = "openai-tts"
    first = "ai-tts" if server.generation == "v2" else "aws-polly"
    tones = [call(server, "puter-tts", "synthesize", {"text": "hi"}, driver=d, service=d).content for d in (first, second)]
    assert [round(tone_crossings(t) / 2 / 0.5, -1) for t in tones] == [440, 660]  # A4, then E5
    asked = call(server, "puter-tts", "synthesize", {"text": "hi", "voice": "demo-a4"}, driver=second, service=second)
    assert asked.content == tones[0]  # a voice named in the call wins


def test_the_second_services_are_listed_where_each_generation_lists_services(demo_server, demo_server_v1):
    with client(demo_server) as http:
        listed = http.get("/drivers/list-interfaces").json()
        lsmod_v2 = http.get("/lsmod").json()["interfaces"]
    assert listed["puter-chat-completion"] == {"drivers": ["ai-chat"], "default": "ai-chat"}  # as real servers
    assert "openai-tts" in listed["puter-tts"]["drivers"]
    assert lsmod_v2["puter-chat-completion"] == {"implementors": {"ai-chat": {"isDefault": True}}}  # no aliases
    with client(demo_server_v1) as http:
        lsmod_v1 = http.get("/lsmod").json()
    assert lsmod_v1["interfaces"]["puter-chat-completion"]["implementors"] == {"ai-chat": {}}
    assert lsmod_v1["interfaces"]["puter-tts"]["implementors"] == {"aws-polly": {}, "openai-tts": {}}
    assert {"name": "openai-tts", "traits": ["puter-tts"]} in lsmod_v1["services"]
