"""Discovery against what real servers of both generations answered, merged with the bundled catalogue."""

from __future__ import annotations

import httpx

from explorer.protocol.client import Connection
from tests.protocol.test_fixture_contract import FRAMING
from tests.puter_fixtures import FIXTURES_DIR, load


def serve_captures(generation: str, names: dict[str, str]) -> httpx.MockTransport:
    """Answer each path with the response a real server of `generation` gave to it."""

    def handler(request: httpx.Request) -> httpx.Response:
        name = names.get(request.url.path)
        if name is None:
            return httpx.Response(404, text="not here")
        capture = load(FIXTURES_DIR / generation / f"{name}.txt")
        headers = [(k, v) for k, v in capture.response_headers if k.lower() not in FRAMING]
        return httpx.Response(capture.status, headers=headers, content=capture.body)

    return httpx.MockTransport(handler)


async def test_v2_server_lists_interfaces_and_catalogue_gives_methods(tmp_path):
    transport = serve_captures("v2", {"/drivers/list-interfaces": "list-interfaces"})
    async with Connection("http://api.puter.localhost:4100", token="t", transport=transport) as connection:
        catalog = await connection.discover()
    assert catalog.generation == "v2" and not catalog.errors
    assert not any(iface.warnings for iface in catalog.interfaces.values())  # a real answer has no odd node
    kv = catalog.interfaces["puter-kvstore"]
    assert kv.source == "server" and kv.default_service == "puter-kvstore"
    assert kv.methods["batchPut"].source == "catalogue"  # v2 lists no methods: they come from what we know
    assert [p.name for p in kv.methods["set"].parameters if p.required] == ["key", "value"]
    tts = catalog.interfaces["puter-tts"]
    assert tts.default_service == "ai-tts" and tts.services["openai-tts"].source == "server"
    assert "hello-world" not in catalog.interfaces  # a v1-only interface


async def test_v1_server_falls_back_to_lsmod_specs(tmp_path):
    transport = serve_captures("v1", {"/drivers/list-interfaces": "list-interfaces", "/lsmod": "lsmod"})
    async with Connection("http://api.puter.localhost:4100", token="t", transport=transport) as connection:
        catalog = await connection.discover()
    assert catalog.generation == "v1"
    assert not any(iface.warnings for iface in catalog.interfaces.values())
    kv = catalog.interfaces["puter-kvstore"]
    assert kv.source == "server" and kv.methods["get"].source == "server"
    assert "batchPut" not in kv.methods
    assert kv.methods["set"].parameter("key").required  # the v1 serializer drops `optional`: we know it
    assert catalog.interfaces["puter-chat-completion"].services["fake-chat"].source == "catalogue"


async def test_unreachable_server_keeps_the_catalogue_with_the_error_visible(tmp_path):
    transport = serve_captures("v2", {"/drivers/list-interfaces": "err-list-interfaces-no-auth",
                                      "/lsmod": "err-list-interfaces-no-auth"})
    async with Connection("http://api.puter.localhost:4100", transport=transport) as connection:
        catalog = await connection.discover()
    assert catalog.generation is None
    assert len(catalog.errors) == 2 and "401" in catalog.errors[0] and "token_missing" in catalog.errors[0]
    assert catalog.errors[1] == "GET /lsmod: HTTP 401 (token_missing)"
    # Each interface shows the last reason: on v1, /lsmod is the answer that would have had the list.
    assert all(iface.error == catalog.errors[1] for iface in catalog.interfaces.values())
    assert "puter-kvstore" in catalog.interfaces and "hello-world" in catalog.interfaces


async def test_v1_chat_preselects_a_service_that_works_without_provider_keys():
    transport = serve_captures("v1", {"/drivers/list-interfaces": "list-interfaces", "/lsmod": "lsmod"})
    async with Connection("http://api.puter.localhost:4100", token="t", transport=transport) as connection:
        catalog = await connection.discover()
    chat = catalog.interfaces["puter-chat-completion"]
    assert chat.default_service == "openai-completion"  # what the v1 server falls back to: needs a key
    assert chat.preferred_service == "ai-chat"
    assert catalog.interfaces["puter-kvstore"].preferred_service == "puter-kvstore"
