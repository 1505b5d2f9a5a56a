"""Exported puter.js is the code people write, following puter.js's documented names and argument order."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from explorer.puterjs import drivers_call, idiomatic


def call(interface, method, args, service=None, test_mode=False):
    body = {"interface": interface, "method": method, "args": args}
    if service:
        body["service"] = service
    if test_mode:
        body["test_mode"] = True
    return idiomatic(body).splitlines()[0]


# (driver call, the documented puter.js form it becomes)
CASES = [
    (("puter-kvstore", "set", {"key": "k", "value": {"a": 1}}), 'puter.kv.set("k", {"a": 1})'),
    (("puter-kvstore", "set", {"key": "k", "value": 1, "expireAt": 1800000000}), 'puter.kv.set("k", 1, 1800000000)'),
    (("puter-kvstore", "get", {"key": "k"}), 'puter.kv.get("k")'),
    (("puter-kvstore", "del", {"key": "k"}), 'puter.kv.del("k")'),
    (("puter-kvstore", "list", {}), "puter.kv.list()"),
    (("puter-kvstore", "list", {"pattern": "user:*"}), 'puter.kv.list("user:*")'),
    (("puter-kvstore", "incr", {"key": "n"}), 'puter.kv.incr("n")'),
    (("puter-kvstore", "decr", {"key": "n", "pathAndAmountMap": {"a.b": 2}}), 'puter.kv.decr("n", {"a.b": 2})'),
    (("puter-kvstore", "flush", {}), "puter.kv.flush()"),
    (("puter-kvstore", "expire", {"key": "k", "ttl": 60}), 'puter.kv.expire("k", 60)'),
    (("puter-kvstore", "update", {"key": "k", "pathAndValueMap": {"a": 1}}), 'puter.kv.update("k", {"a": 1})'),
    (("puter-kvstore", "remove", {"key": "k", "paths": ["a", "b.c"]}), 'puter.kv.remove("k", "a", "b.c")'),
    (("puter-chat-completion", "complete", {"messages": [{"role": "user", "content": "Hi"}], "model": "gpt-5-nano"}),
     'puter.ai.chat("Hi", {"model": "gpt-5-nano"})'),
    (("puter-chat-completion", "complete", {"messages": [{"role": "system", "content": "Be brief"},
                                                         {"role": "user", "content": "Hi"}]}),
     'puter.ai.chat([{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Hi"}], false)'),
    (("puter-tts", "synthesize", {"text": "Hello"}), 'puter.ai.txt2speech("Hello")'),
    (("puter-tts", "synthesize", {"text": "Hello", "voice": "alloy"}, "openai-tts"),
     'puter.ai.txt2speech("Hello", {"voice": "alloy", "provider": "openai"})'),
    (("puter-image-generation", "generate", {"prompt": "a cat"}, None, True), 'puter.ai.txt2img("a cat", true)'),
    (("puter-ocr", "recognize", {"source": "https://x/a.png"}, "mistral"),
     'puter.ai.img2txt("https://x/a.png", {"provider": "mistral"})'),
    (("puter-apps", "create", {"object": {"name": "a", "index_url": "https://x", "title": "A"}}),
     'puter.apps.create("a", "https://x", "A")'),
    (("puter-apps", "create", {"object": {"name": "a", "index_url": "https://x", "maximize_on_start": True}}),
     'puter.apps.create({"name": "a", "indexURL": "https://x", "maximizeOnStart": true})'),
    (("puter-apps", "read", {"id": {"name": "a"}}), 'puter.apps.get("a")'),
    (("puter-apps", "update", {"id": {"name": "a"}, "object": {"title": "B"}}), 'puter.apps.update("a", {"title": "B"})'),
    (("puter-apps", "delete", {"id": {"name": "a"}}), 'puter.apps.delete("a")'),
    (("puter-apps", "select", {}), "puter.apps.list()"),
]


@pytest.mark.parametrize("driver_call, expected", CASES, ids=[expected.split("(")[0] + str(i) for i, (_, expected) in enumerate(CASES)])
def test_each_mapping_follows_the_documented_signature(driver_call, expected):
    assert call(*driver_call) == f"const result = await {expected};"


@pytest.mark.parametrize("driver_call", [
    ("puter-notifications", "select", {}),  # no puter.js function
    ("puter-apps", "read", {"uid": "app-1"}),  # puter.apps.get takes a name
    ("puter-kvstore", "set", {"key": "k", "value": 1, "optConfig": {}}),  # more than kv.set can say
])
def test_a_call_without_a_puterjs_counterpart_uses_drivers_call(driver_call):
    assert call(*driver_call).startswith(f'const result = await puter.drivers.call("{driver_call[0]}"')


def test_a_streamed_chat_iterates_its_parts():
    body = {"interface": "puter-chat-completion", "method": "complete",
            "args": {"messages": [{"role": "user", "content": "Hi"}], "stream": True}}
    assert idiomatic(body) == ('const response = await puter.ai.chat("Hi", {"stream": true});\n'
                               "for await (const part of response) console.log(part?.text ?? part);")


@pytest.mark.skipif(shutil.which("node") is None, reason="checking the syntax needs node")
def test_every_snippet_is_valid_javascript(tmp_path):
    snippets = [idiomatic({"interface": c[0], "method": c[1], "args": c[2]}) for c, _ in CASES]
    snippets.append(drivers_call({"interface": "puter-kvstore", "method": "get", "args": {"key": "k"}}))
    source = "\n".join(f"async function snippet{i}() {{\n{s}\n}}" for i, s in enumerate(snippets))
    (tmp_path / "snippets.mjs").write_text(source)
    done = subprocess.run(["node", "--check", str(tmp_path / "snippets.mjs")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
