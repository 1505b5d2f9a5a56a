"""The demo server starts on a free loopback port, answers, and stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

from explorer.demo import DemoServer, create_app
from tests.demo.talk import call


def test_server_binds_loopback_on_a_port_chosen_at_run_time(make_demo_server):
    server = make_demo_server()
    assert server.origin.startswith("http://127.0.0.1:")
    assert server.port > 0
    assert server.generation == "v2"
    assert call(server, "puter-kvstore", "get", {"key": "x"}).status_code == 200


def test_two_servers_get_different_ports_and_tokens(make_demo_server):
    first, second = make_demo_server(), make_demo_server(generation="v1")
    assert first.port != second.port
    assert first.token != second.token and len(first.token) >= 20
    assert second.generation == "v1"


def test_given_token_is_used_and_app_state_holds_it():
    app = create_app(token="my-secret-token")
    assert app.state.token == "my-secret-token"
    with DemoServer(token="my-secret-token") as server:
        assert server.token == "my-secret-token"


def test_stop_closes_the_port():
    server = DemoServer().start()
    origin = server.origin
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(origin + "/lsmod", timeout=2)


def test_unknown_generation_is_refused():
    with pytest.raises(ValueError):
        create_app(generation="v3")


def test_serve_forever_prints_origin_and_token_then_stops_on_interrupt():
    code = "from explorer.demo import serve_forever; serve_forever(token='printed-token')"
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        origin_line = process.stdout.readline().strip()
        token_line = process.stdout.readline().strip()
        assert origin_line.startswith("origin: http://127.0.0.1:")
        assert token_line == "token: printed-token"
        origin = origin_line.split(": ", 1)[1]
        answer = httpx.get(origin + "/lsmod", headers={"Authorization": "Bearer printed-token"}, timeout=5)
        assert answer.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.stdout.close()
