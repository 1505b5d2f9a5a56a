"""Gatekeeping of the demo server: auth, origin, bodies, forbidden drivers, rate limits, discovery."""

from __future__ import annotations

import time

import httpx

from tests.demo.talk import ORIGIN, call, client

KV_GET = {"interface": "puter-kvstore", "method": "get", "args": {"key": "k"}}


def test_missing_and_wrong_tokens_are_401_in_both_generations(demo_server, demo_server_v1):
    for server in (demo_server, demo_server_v1):
        missing = httpx.post(server.origin + "/drivers/call", json=KV_GET, headers={"Origin": ORIGIN})
        wrong = httpx.post(server.origin + "/drivers/call", json=KV_GET,
                           headers={"Origin": ORIGIN, "Authorization": "Bearer nope"})
        assert (missing.status_code, missing.json()["code"]) == (401, "token_missing")
        assert (wrong.status_code, wrong.json()["code"]) == (401, "token_auth_failed")
        assert server.token not in wrong.text


def test_token_in_the_body_is_accepted(demo_server_v1):
    answer = httpx.post(demo_server_v1.origin + "/drivers/call", headers={"Origin": ORIGIN},
                        json={**KV_GET, "auth_token": demo_server_v1.token})
    assert answer.status_code == 200 and answer.json()["success"] is True


def test_v1_wants_an_origin_and_a_content_type_on_posts(demo_server_v1):
    auth = {"Authorization": f"Bearer {demo_server_v1.token}"}
    no_origin = httpx.post(demo_server_v1.origin + "/drivers/call", json=KV_GET, headers=auth)
    assert (no_origin.status_code, no_origin.text) == (403, "Forbidden")
    assert no_origin.headers["content-type"].startswith("text/html")
    no_type = httpx.post(demo_server_v1.origin + "/drivers/call", content=b'{"interface":"x"}',
                         headers={**auth, "Origin": ORIGIN})
    assert no_type.status_code == 500


def test_v2_needs_no_origin(demo_server):
    answer = httpx.post(demo_server.origin + "/drivers/call", json=KV_GET,
                        headers={"Authorization": f"Bearer {demo_server.token}"})
    assert answer.status_code == 200


def test_v2_reads_only_driver_and_v1_also_service(demo_server, demo_server_v1):
    v2 = call(demo_server, "puter-kvstore", "get", {"key": "k"}, service="no-such-driver")
    assert v2.status_code == 200  # `service` is ignored by v2
    v1 = call(demo_server_v1, "puter-kvstore", "get", {"key": "k"}, service="no-such-driver")
    assert v1.json()["error"]["code"] == "no_implementation_available"


def test_forbidden_driver_is_refused_in_each_generation_shape(make_demo_server):
    v2 = make_demo_server(forbidden_drivers=["es:app"])
    v1 = make_demo_server(generation="v1", forbidden_drivers=["es:app"])
    refused = call(v2, "puter-apps", "select", {})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert refused.json()["error"] == refused.json()["message"]
    refused_v1 = call(v1, "puter-apps", "select", {})
    assert refused_v1.status_code == 200
    assert refused_v1.json() == {"success": False, "error": {
        "code": "forbidden", "$": "heyputer:api/APIError", "message": "Permission denied.", "status": 403}}
    assert call(v2, "puter-kvstore", "get", {"key": "k"}).status_code == 200  # other drivers still work


def test_rate_limit_per_method_in_each_generation_shape(make_demo_server):
    v2 = make_demo_server(rate_limits={"puter-kvstore.set": 2})
    v1 = make_demo_server(generation="v1", rate_limits={"puter-kvstore.set": 2})
    args = {"key": "r", "value": 1}
    assert [call(v2, "puter-kvstore", "set", args).status_code for _ in range(3)] == [200, 200, 429]
    limited = call(v2, "puter-kvstore", "set", args).json()
    assert limited == {"error": "Too many requests.", "message": "Too many requests.", "code": "too_many_requests"}
    assert call(v2, "puter-kvstore", "get", {"key": "r"}).status_code == 200  # only `set` is limited
    answers = [call(v1, "puter-kvstore", "set", args) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    error = answers[-1].json()["error"]
    assert answers[-1].json()["success"] is False
    assert (error["code"], error["status"], error["rate_limit"]["max"]) == ("rate_limit_exceeded", 429, 2)


class ManualClock:
    """The rate limiter's clock, moved by the test: the window is checked to the second, without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_window_reopens(make_demo_server):
    clock = ManualClock()
    server = make_demo_server(rate_limits={"puter-kvstore.get": 1}, rate_window=10.0, rate_clock=clock)

    def get() -> int:
        return call(server, "puter-kvstore", "get", {"key": "w"}).status_code

    assert get() == 200
    clock.now += 9.0
    assert get() == 429  # still inside the window (a refused call does not count)
    clock.now += 1.0
    assert get() == 200  # the first call has left the window
    clock.now += 9.0
    assert get() == 429  # the window slid: it now starts at the call that was just let through


def test_the_rate_window_is_in_real_seconds_by_default(make_demo_server):
    window = 0.5
    server = make_demo_server(rate_limits={"puter-kvstore.get": 1}, rate_window=window)
    before_first = time.monotonic()  # the server stamps the first call after this
    assert call(server, "puter-kvstore", "get", {"key": "w"}).status_code == 200
    deadline = before_first + 30  # a bound only: the window reopens long before it, even on a loaded machine
    while (status := call(server, "puter-kvstore", "get", {"key": "w"}).status_code) == 429:
        assert time.monotonic() < deadline, "the rate window never reopened"
        time.sleep(0.02)
    assert status == 200
    assert time.monotonic() - before_first >= window  # never let through again before the window has passed


def test_list_interfaces_works_in_v2_and_fails_in_v1(demo_server, demo_server_v1):
    with client(demo_server) as http:
        listed = http.get("/drivers/list-interfaces").json()
    assert listed["puter-tts"]["default"] == "ai-tts" and "aws-polly" in listed["puter-tts"]["drivers"]
    with client(demo_server_v1) as http:
        broken = http.get("/drivers/list-interfaces")
    assert broken.status_code == 500 and broken.headers["content-type"].startswith("text/html")


def test_lsmod_has_specs_only_in_v1(demo_server, demo_server_v1):
    with client(demo_server_v1) as http:
        v1 = http.get("/lsmod").json()["interfaces"]
    kv = v1["puter-kvstore"]
    assert kv["implementors"] == {"puter-kvstore": {}}
    assert kv["spec"]["methods"]["expire"]["parameters"] == {"key": {"type": "string"}, "ttl": {"type": "number"}}
    assert "batchPut" not in kv["spec"]["methods"]
    with client(demo_server) as http:
        v2 = http.get("/lsmod").json()["interfaces"]
    assert v2["puter-chat-completion"] == {"implementors": {"ai-chat": {"isDefault": True}}}


def test_v2_rejects_bad_json_with_client_bad_json(demo_server):
    with client(demo_server) as http:
        answer = http.post("/drivers/call", content=b'{"interface":', headers={"Content-Type": "application/json"})
    assert (answer.status_code, answer.json()["code"]) == (400, "client_bad_json")
