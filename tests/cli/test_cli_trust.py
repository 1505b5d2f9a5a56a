"""Replay goes where the call was made; `interfaces --check` says what a server offers beyond the catalogue."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def kv_value(cli, server, key):
    done = cli("--origin", server.origin, "call", "puter-kvstore", "get", "--args", json.dumps({"key": key}),
               "--no-history", env={"PUTER_AUTH_TOKEN": server.token})
    assert done.code == 0, done.err
    return json.loads(done.out)


def test_a_replay_goes_to_the_server_it_was_made_on_unless_another_is_named(cli, make_demo_server):
    first, second = make_demo_server(), make_demo_server()
    assert cli("profiles", "add", "first", "--set-origin", first.origin, "--token-stdin", input=first.token).code == 0
    made = cli("call", "puter-kvstore", "set", "--args", '{"key":"where","value":1}')  # the profile: first
    assert made.code == 0, made.err
    entry_id = json.loads(cli("history", "--json").out)[0]["id"]
    # Now the environment points at the second server, with its token.
    env = {"PUTER_API_ORIGIN": second.origin, "PUTER_AUTH_TOKEN": second.token}
    replayed = cli("replay", str(entry_id), "--args", '{"value":2}', env=env)
    assert replayed.code == 0, replayed.err
    assert f"replaying #{entry_id} on {first.origin}, where it was made" in replayed.err
    assert kv_value(cli, first, "where") == 2 and kv_value(cli, second, "where") is None
    # Named on the command line: the second server, with its token.
    elsewhere = cli("--origin", second.origin, "replay", str(entry_id), "--args", '{"value":3}', env=env)
    assert elsewhere.code == 0, elsewhere.err
    assert kv_value(cli, second, "where") == 3 and kv_value(cli, first, "where") == 2
    newest = json.loads(cli("history", "--json", "--limit", "2").out)
    assert [(e["origin"], e["replay_of"]) for e in newest] == [(second.origin, entry_id), (first.origin, entry_id)]


def test_interfaces_check_finds_nothing_new_on_either_demo_generation(cli):
    for generation in ("v2", "v1"):
        done = cli("--demo", "--demo-generation", generation, "interfaces", "--check")
        assert done.code == 0, done.out + done.err
        assert f"compared with the bundled catalogue ({generation})" in done.out
        assert "new on the server: nothing" in done.out


def test_interfaces_check_exits_1_on_a_server_with_a_method_the_catalogue_does_not_know(cli, tmp_path):
    # A v1-style server whose /lsmod describes a kv method nobody has heard of.
    lsmod = {"interfaces": {"puter-kvstore": {"implementors": {"puter-kvstore": {}},
                                              "spec": {"methods": {"get": {"parameters": {"key": {"type": "string"}}},
                                                                   "teleport": {"parameters": {}}}}}}}
    script = tmp_path / "server.py"
    script.write_text(textwrap.dedent(f"""
        import http.server, json, sys
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                status, body = (200, {json.dumps(lsmod)!r}) if self.path == "/lsmod" else (404, '{{"error": "no"}}')
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
    """))
    process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline())
        done = cli("--origin", f"http://127.0.0.1:{port}", "interfaces", "--check", env={"PUTER_AUTH_TOKEN": "x" * 20})
    finally:
        process.kill()
        process.wait(timeout=10)
    assert done.code == 1, done.out + done.err
    assert "+ method puter-kvstore.teleport" in done.out
