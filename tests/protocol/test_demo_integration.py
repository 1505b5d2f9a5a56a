"""The client against the real demo server over loopback, in both wire generations: every demo driver method."""

from __future__ import annotations

import hashlib
import struct
import wave

import pytest

from explorer.protocol.client import CallRequest, Connection

# (interface, service per generation, method, args, expected kind)
V1_CHAT, V2_CHAT = "ai-chat", None
CHAT_ARGS = {"model": "fake", "messages": [{"role": "user", "content": "hello"}]}
KV_V2_ONLY = ["batchPut", "update", "add", "remove"]


@pytest.fixture(params=["v1", "v2"])
def server(request, demo_server, demo_server_v1):
    return demo_server_v1 if request.param == "v1" else demo_server


async def connect(server, tmp_path, **kwargs):
    return Connection(server.origin, token=server.token, download_dir=tmp_path, **kwargs)


async def test_discovery_detects_the_generation(server, tmp_path):
    async with await connect(server, tmp_path) as connection:
        catalog = await connection.discover()
    assert catalog.generation == server.generation
    assert catalog.interfaces["puter-kvstore"].source == "server"
    assert not catalog.errors


async def test_localhost_names_reach_the_demo_through_loopback(server, tmp_path):
    port = server.origin.rsplit(":", 1)[1]
    async with Connection(f"http://api.puter.localhost:{port}", token=server.token, download_dir=tmp_path) as c:
        outcome = await c.call(CallRequest("puter-kvstore", "set", {"key": "via-name", "value": 1}, "puter-kvstore"))
    assert outcome.kind == "result", outcome.summary


async def test_every_kv_method(server, tmp_path):
    async with await connect(server, tmp_path) as c:
        async def kv(method, **args):
            return await c.call(CallRequest("puter-kvstore", method, args, "puter-kvstore"))

        assert (await kv("set", key="n", value={"a": 1})).kind == "result"
        assert (await kv("get", key="n")).value == {"a": 1}
        assert (await kv("incr", key="c", pathAndAmountMap={"x": 2})).kind == "result"
        assert (await kv("decr", key="c", pathAndAmountMap={"x": 1})).kind == "result"
        assert (await kv("expire", key="n", ttl=100)).kind == "result"
        assert (await kv("expireAt", key="n", timestamp=4102444800)).kind == "result"
        listed = await kv("list")
        assert listed.kind == "result"
        assert (await kv("del", key="c")).kind == "result"
        assert (await kv("flush")).kind == "result"
        for method in KV_V2_ONLY:
            args = {"batchPut": {"items": [{"key": "b", "value": 1}]},
                    "update": {"key": "o", "pathAndValueMap": {"a": 1}},
                    "add": {"key": "o", "pathAndValueMap": {"list": 1}},
                    "remove": {"key": "o", "paths": ["a"]}}[method]
            outcome = await kv(method, **args)
            if server.generation == "v2":
                assert outcome.kind == "result", (method, outcome.summary)
            else:
                assert outcome.kind == "driver_error" and outcome.normalised_code == "not_found"


async def test_driver_errors_have_the_generation_shape_and_normalise(server, tmp_path):
    async with await connect(server, tmp_path) as c:
        missing = await c.call(CallRequest("puter-kvstore", "set", {"value": 1}, "puter-kvstore"))
        unknown = await c.call(CallRequest("puter-kvstore", "nope", {}, "puter-kvstore"))
        no_iface = await c.call(CallRequest("no-such-interface", "x", {}))
    for outcome in (missing, unknown, no_iface):
        assert outcome.kind == "driver_error"
        assert (outcome.status == 200) == (server.generation == "v1")
    assert missing.normalised_code == "bad_request"
    assert unknown.normalised_code == no_iface.normalised_code == "not_found"


async def test_bad_token_is_a_driver_error_401(server, tmp_path):
    async with Connection(server.origin, token="wrong", download_dir=tmp_path) as c:
        outcome = await c.call(CallRequest("puter-kvstore", "get", {"key": "k"}))
    assert outcome.kind == "driver_error" and outcome.status == 401 and outcome.code == "token_auth_failed"
    assert "wrong" not in outcome.summary


async def test_chat_complete_list_models(server, tmp_path):
    service = V1_CHAT if server.generation == "v1" else V2_CHAT
    async with await connect(server, tmp_path) as c:
        done = await c.call(CallRequest("puter-chat-completion", "complete", CHAT_ARGS, service))
        listed = await c.call(CallRequest("puter-chat-completion", "list", {}, service))
        models = await c.call(CallRequest("puter-chat-completion", "models", {}, service))
    assert done.kind == "result" and done.value["message"]["content"]
    assert listed.kind == models.kind == "result" and isinstance(listed.value, list)


async def test_chat_stream_delivers_chunks_before_the_end(server, tmp_path):
    service = V1_CHAT if server.generation == "v1" else V2_CHAT
    seen = []
    async with await connect(server, tmp_path) as c:
        outcome = await c.call(CallRequest("puter-chat-completion", "complete", {**CHAT_ARGS, "stream": True}, service),
                               on_chunk=seen.append)
    assert outcome.kind == "stream" and outcome.complete
    assert seen == outcome.chunks and len(seen) >= 3
    assert seen[-1]["type"] == "usage"
    assert outcome.text == "".join(c["text"] for c in seen if c["type"] == "text")


async def test_tts_synthesize_saves_a_real_wav(server, tmp_path):
    async with await connect(server, tmp_path) as c:
        outcome = await c.call(CallRequest("puter-tts", "synthesize", {"text": "hello"}))
        voices = await c.call(CallRequest("puter-tts", "list_voices", {}))
    assert outcome.kind == "binary" and outcome.content_type.startswith("audio/wav")
    assert outcome.path.suffix == ".wav"
    data = outcome.path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == outcome.sha256 and len(data) == outcome.size
    with wave.open(str(outcome.path)) as wav:
        assert wav.getnframes() > 0
    assert voices.kind == "result" and voices.value


async def test_image_generation_is_bytes_in_v1_and_a_data_uri_in_v2(server, tmp_path):
    async with await connect(server, tmp_path) as c:
        outcome = await c.call(CallRequest("puter-image-generation", "generate", {"prompt": "red"}, "ai-image"))
    if server.generation == "v1":
        assert outcome.kind == "binary" and outcome.content_type.startswith("image/png")
        data = outcome.path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert width > 0 and height > 0
    else:
        assert outcome.kind == "result" and outcome.value.startswith("data:image/png;base64,")


async def test_ocr_in_test_mode(server, tmp_path):
    async with await connect(server, tmp_path) as c:
        outcome = await c.call(CallRequest("puter-ocr", "recognize", {"source": "data:image/png;base64,AA=="},
                                           test_mode=True))
    assert outcome.kind == "result", outcome.summary
    assert outcome.value["blocks"]


async def test_apps_and_notifications_crud(server, tmp_path):
    async with await connect(server, tmp_path) as c:
        created = await c.call(CallRequest("puter-apps", "create",
                                           {"object": {"name": f"demo-app-{tmp_path.name[-6:]}", "title": "Demo",
                                                       "index_url": "https://example.org/"}}, "es:app"))
        assert created.kind == "result", created.summary
        uid = created.value["uid"]
        read = await c.call(CallRequest("puter-apps", "read", {"uid": uid}, "es:app"))
        assert read.kind == "result" and read.value["uid"] == uid
        selected = await c.call(CallRequest("puter-apps", "select", {"predicate": ["user-can-edit"]}, "es:app"))
        assert selected.kind == "result" and isinstance(selected.value, list)
        deleted = await c.call(CallRequest("puter-apps", "delete", {"uid": uid}, "es:app"))
        assert deleted.kind == "result"
        gone = await c.call(CallRequest("puter-apps", "read", {"uid": uid}, "es:app"))
        assert gone.kind == "driver_error"
        note = await c.call(CallRequest("puter-notifications", "create",
                                        {"object": {"title": "hi", "text": "there"}}, "es:notification"))
        assert note.kind == "result", note.summary
        notes = await c.call(CallRequest("puter-notifications", "select", {"predicate": ["unseen"]},
                                         "es:notification"))
        assert notes.kind == "result"


async def test_rate_limit_is_a_retryable_driver_error(make_demo_server, tmp_path):
    for generation in ("v1", "v2"):
        server = make_demo_server(generation=generation, rate_limits={"puter-kvstore.get": 2})
        async with await connect(server, tmp_path) as c:
            outcomes = [await c.call(CallRequest("puter-kvstore", "get", {"key": "k"}, "puter-kvstore"))
                        for _ in range(3)]
        assert [o.kind for o in outcomes] == ["result", "result", "driver_error"]
        assert outcomes[2].normalised_code == "too_many_requests" and outcomes[2].retryable
