import httpx
import pytest

from explorer.protocol.client import CallRequest
from explorer.protocol.origins import derive_gui_origin, loopback_target, normalise_origin


@pytest.mark.parametrize("written, origin", [
    ("api.puter.com", "https://api.puter.com"),
    ("https://api.puter.com/", "https://api.puter.com"),
    ("api.puter.localhost:4100", "http://api.puter.localhost:4100"),
    ("http://api.puter.localhost:4100/drivers", "http://api.puter.localhost:4100"),
    ("127.0.0.1:8080", "http://127.0.0.1:8080"),
])
def test_origins_as_users_write_them(written, origin):
    assert normalise_origin(written) == origin


@pytest.mark.parametrize("bad", ["", "ftp://x", "http://"])
def test_bad_origins_are_refused(bad):
    with pytest.raises(ValueError):
        normalise_origin(bad)


def test_gui_origin_is_derived_from_the_api_origin():
    assert derive_gui_origin("https://api.puter.com") == "https://puter.com"
    assert derive_gui_origin("http://api.puter.localhost:4100") == "http://puter.localhost:4100"
    assert derive_gui_origin("http://127.0.0.1:5000") == "http://127.0.0.1:5000"


def test_localhost_names_reach_loopback_with_their_real_host_header():
    url, headers, extensions = loopback_target(httpx.URL("http://api.puter.localhost:4100/drivers/call"))
    assert url.host == "127.0.0.1" and url.port == 4100 and url.path == "/drivers/call"
    assert headers == {"Host": "api.puter.localhost:4100"}
    assert extensions == {"sni_hostname": "api.puter.localhost"}
    url, headers, _ = loopback_target(httpx.URL("https://api.puter.com/x"))
    assert url.host == "api.puter.com" and headers == {}


def test_call_body_sends_driver_and_service_and_test_mode_twice():
    body = CallRequest("puter-ocr", "recognize", {"source": "x"}, service="ai-ocr", test_mode=True).body()
    assert body == {"interface": "puter-ocr", "driver": "ai-ocr", "service": "ai-ocr", "method": "recognize",
                    "test_mode": True, "args": {"source": "x", "test_mode": True}}
    plain = CallRequest("puter-kvstore", "get", {"key": "k"}).body()
    assert plain == {"interface": "puter-kvstore", "method": "get", "args": {"key": "k"}}
