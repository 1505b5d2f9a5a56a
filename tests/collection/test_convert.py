"""Call files made from a history entry, a curl command and a puter.js snippet; no token ever kept."""

from __future__ import annotations

import pytest

from explorer.collection.convert import ImportProblem, from_curl, from_puterjs
from explorer.export import export_call

BODY = {"interface": "puter-kvstore", "service": "puter-kvstore", "method": "set", "args": {"key": "a", "value": 1}}


def test_an_exported_curl_command_imports_back_to_the_same_call_without_its_token():
    call, notes = from_curl(export_call("http://127.0.0.1:4100", BODY, "curl", token="secret-token-1234"))
    assert (call["interface"], call["service"], call["method"], call["args"]) == (
        "puter-kvstore", "puter-kvstore", "set", {"key": "a", "value": 1})
    assert "secret-token-1234" not in repr(call) and any("Authorization" in note for note in notes)


def test_a_puterjs_snippet_imports_with_js_liberties():
    snippet = "const r = await puter.drivers.call('puter-kvstore', undefined, 'get', { key: 'a', auth_token: 'xyz' , });"
    call, notes = from_puterjs(snippet)
    assert (call["service"], call["method"], call["args"]) == (None, "get", {"key": "a"})
    assert any("auth_token" in note for note in notes)


@pytest.mark.parametrize("text", ["curl https://api.puter.com/whoami", "curl -X POST https://x/drivers/call",
                                  "curl https://x/drivers/call -d 'not json'"])
def test_a_curl_command_that_is_not_a_driver_call_is_refused(text):
    with pytest.raises(ImportProblem):
        from_curl(text)
