"""Discovery against answers of the wrong shape: each odd node is skipped with a warning, the rest is kept."""

from __future__ import annotations

import json
from typing import Any

import httpx

from explorer.protocol import client as client_module
from explorer.protocol.catalog import Catalog
from explorer.protocol.server_values import MAX_NOTES
from explorer.protocol.client import Connection
from explorer.tui.widgets.catalog_tree import interface_label
from tests.protocol.hostile import HostileServer, answer

NOT_SERVED = object()
V2_OCR = {"drivers": ["ai-ocr", "aws-textract"], "default": "ai-ocr"}


async def discover_from(list_interfaces: Any = NOT_SERVED, lsmod: Any = NOT_SERVED) -> Catalog:
    """discover() against a loopback server answering each path with `value` as JSON (bytes as they are)."""
    answers = {"/drivers/list-interfaces": list_interfaces, "/lsmod": lsmod}
    server = HostileServer(None)

    async def route(reader, writer):
        path = server.requests[-1].split(b" ", 2)[1].decode()
        value = answers.get(path, NOT_SERVED)
        if value is NOT_SERVED:
            script = answer("500 Internal Server Error", {"Content-Type": "text/html"}, b"<h1>broken</h1>")
        else:
            body = value if isinstance(value, bytes) else json.dumps(value).encode()
            script = answer("200 OK", {"Content-Type": "application/json"}, body)
        await script(reader, writer)

    server.script = route
    async with server:
        async with Connection(server.origin, token="t") as connection:
            return await connection.discover()


# -- /drivers/list-interfaces -----------------------------------------------------------------------


async def test_drivers_as_a_string_is_not_taken_letter_by_letter():
    catalog = await discover_from({"puter-kvstore": {"drivers": "abc", "default": "puter-kvstore"},
                                   "puter-ocr": V2_OCR})
    kv = catalog.interfaces["puter-kvstore"]
    assert kv.warnings == ["drivers is a string, not a list: ignored"]
    assert not {"a", "b", "c"} & set(kv.services)
    assert kv.default_service == "puter-kvstore" and kv.services["puter-kvstore"].source == "server"
    assert "batchPut" in kv.methods  # the bundled catalogue is still merged
    ocr = catalog.interfaces["puter-ocr"]
    assert ocr.warnings == [] and ocr.services["aws-textract"].source == "server"
    assert catalog.generation == "v2" and catalog.errors == []


async def test_drivers_as_a_number_or_an_object():
    catalog = await discover_from({"puter-kvstore": {"drivers": 42, "default": "puter-kvstore"},
                                   "puter-ocr": {"drivers": {"ai-ocr": True}, "default": "ai-ocr"}})
    assert catalog.interfaces["puter-kvstore"].warnings == ["drivers is a number, not a list: ignored"]
    assert catalog.interfaces["puter-ocr"].warnings == ["drivers is an object, not a list: ignored"]
    assert catalog.interfaces["puter-ocr"].default_service == "ai-ocr"


async def test_drivers_that_are_not_names_are_skipped_one_by_one():
    drivers = ["good-driver", 7, None, "", "   ", "\x1b[2J", "x" * 201, {"n": 1}, ["y"], "also-good"]
    catalog = await discover_from({"puter-kvstore": {"drivers": drivers}})
    kv = catalog.interfaces["puter-kvstore"]
    assert kv.services["good-driver"].source == kv.services["also-good"].source == "server"
    assert kv.warnings == [
        "skipped a driver that is not a name: 7",
        "skipped a driver that is not a name: null",
        'skipped a driver that is not a name: ""',
        'skipped a driver that is not a name: "   "',
        'skipped a driver that is not a name: "\\x1b[2J"',
        'skipped a driver that is not a name: "' + "x" * 59 + '…"',
        "skipped a driver that is not a name: an object",
        "skipped a driver that is not a name: a list",
    ]
    assert all(name.isprintable() and len(name) <= 200 for name in kv.services)


async def test_a_default_that_is_not_a_name():
    catalog = await discover_from({"puter-kvstore": {"drivers": ["puter-kvstore"], "default": ["puter-kvstore"]},
                                   "puter-ocr": V2_OCR})
    kv = catalog.interfaces["puter-kvstore"]
    assert kv.warnings == ["default is not a name (a list): ignored"]
    assert kv.services["puter-kvstore"].source == "server"
    assert catalog.interfaces["puter-ocr"].default_service == "ai-ocr"


async def test_an_interface_described_by_a_number_keeps_its_name():
    catalog = await discover_from({"puter-kvstore": 5, "brand-new": "yes", "puter-ocr": V2_OCR})
    kv = catalog.interfaces["puter-kvstore"]
    assert kv.source == "server" and "get" in kv.methods
    assert kv.warnings == ["the server described it as a number, not an object: only its name is used"]
    assert catalog.interfaces["brand-new"].source == "server"
    assert catalog.interfaces["brand-new"].warnings == [
        "the server described it as a string, not an object: only its name is used"]
    assert catalog.interfaces["puter-ocr"].warnings == []


async def test_hostile_interface_names_are_skipped_and_markup_is_only_text():
    catalog = await discover_from({"\x1b]0;pwned\x07": {"drivers": ["x"]}, "\u202eevil": {},
                                   "[bold red]boo[/]": {"drivers": ["[link=http://x]y[/link]"]},
                                   "puter-ocr": V2_OCR})
    assert catalog.errors == [
        'GET /drivers/list-interfaces: skipped an interface with an unusable name: "\\x1b]0;pwned\\x07"',
        'GET /drivers/list-interfaces: skipped an interface with an unusable name: "\\u202eevil"',
    ]
    assert not any("\x1b" in name or "\u202e" in name for name in catalog.interfaces)
    marked = catalog.interfaces["[bold red]boo[/]"]  # brackets are legal in a name: shown as they are
    assert list(marked.services) == ["[link=http://x]y[/link]"]
    label = interface_label(marked)
    assert label.plain == "[bold red]boo[/]" and not label.spans


async def test_a_flood_of_bad_entries_gives_a_bounded_number_of_warnings():
    catalog = await discover_from({"puter-kvstore": {"drivers": list(range(1000))}})
    warnings = catalog.interfaces["puter-kvstore"].warnings
    assert len(warnings) == MAX_NOTES + 1
    assert warnings[0] == "skipped a driver that is not a name: 0" and warnings[-1] == "more problems were left out"


# -- /lsmod -----------------------------------------------------------------------------------------

HELLO = {"spec": {"methods": {"greet": {"parameters": {"subject": {"type": "string"}}}}},
         "implementors": {"hello-world": {}}}


def lsmod(**interfaces: Any) -> dict[str, Any]:
    return {"interfaces": {"hello-world": HELLO, **{k.replace("_", "-"): v for k, v in interfaces.items()}}}


def assert_hello_kept(catalog: Catalog) -> None:
    hello = catalog.interfaces["hello-world"]
    assert hello.warnings == [] and hello.methods["greet"].source == "server"
    assert [(p.name, p.type) for p in hello.methods["greet"].parameters] == [("subject", "string")]


async def test_methods_as_a_string_or_a_list():
    catalog = await discover_from(lsmod=lsmod(
        puter_kvstore={"spec": {"methods": "get,set"}, "implementors": {"puter-kvstore": {}}},
        puter_apps={"spec": {"methods": ["create"]}, "implementors": {"es:app": {}}}))
    kv = catalog.interfaces["puter-kvstore"]
    assert kv.warnings == ["methods is a string, not an object: ignored"]
    assert kv.services["puter-kvstore"].source == "server"
    assert kv.methods["get"].source == "catalogue"  # what we know stays
    assert catalog.interfaces["puter-apps"].warnings == ["methods is a list, not an object: ignored"]
    assert catalog.generation == "v1"
    assert_hello_kept(catalog)


async def test_implementors_as_a_list_keeps_the_spec():
    catalog = await discover_from(lsmod=lsmod(puter_kvstore={
        "implementors": ["puter-kvstore"],
        "spec": {"methods": {"get": {"parameters": {"key": {"type": "string"}}}}}}))
    kv = catalog.interfaces["puter-kvstore"]
    assert kv.warnings == ["implementors is a list, not an object: ignored"]
    assert kv.methods["get"].source == "server" and kv.methods["get"].parameter("key").required
    assert_hello_kept(catalog)


async def test_implementors_of_odd_shapes():
    catalog = await discover_from(lsmod=lsmod(puter_kvstore={"implementors": {
        "a": 5, "b": {"isDefault": "yes"}, "c": {"isDefault": True}, "\x00": {}}}))
    kv = catalog.interfaces["puter-kvstore"]
    assert {"a", "b", "c"} <= set(kv.services) and kv.default_service == "c"
    assert kv.warnings == [
        'implementor "a" is a number, not an object',
        'isDefault of "b" is a string, not true or false: ignored',
        'skipped an implementor that is not a name: "\\x00"',
    ]


async def test_parameters_as_a_list_keep_the_known_ones():
    catalog = await discover_from(lsmod=lsmod(puter_kvstore={"implementors": {"puter-kvstore": {}}, "spec": {
        "methods": {"get": {"parameters": ["key"]},
                    "set": {"parameters": {"key": {"type": "string"}, "value": {"type": "json"}}}}}}))
    kv = catalog.interfaces["puter-kvstore"]
    assert kv.warnings == ['the parameters of method "get" are a list, not an object: the known ones are kept']
    assert kv.methods["get"].source == "server" and [p.name for p in kv.methods["get"].parameters] == ["key"]
    assert [(p.name, p.type) for p in kv.methods["set"].parameters] == [("key", "string"), ("value", "json")]
    assert kv.methods["set"].parameter("key").required


async def test_a_spec_that_is_not_an_object_keeps_the_implementors():
    catalog = await discover_from(lsmod=lsmod(puter_kvstore={"spec": "v1", "implementors": {"puter-kvstore": {}}}))
    kv = catalog.interfaces["puter-kvstore"]
    assert kv.warnings == ["spec is a string, not an object: ignored"]
    assert kv.services["puter-kvstore"].source == "server"
    assert_hello_kept(catalog)


async def test_methods_and_parameters_of_odd_shapes_are_skipped_one_by_one():
    catalog = await discover_from(lsmod=lsmod(puter_kvstore={"implementors": {"puter-kvstore": {}}, "spec": {
        "description": 12,
        "methods": {
            "get": "x",
            "\u202eevil": {},
            "set": {"description": ["d"], "parameters": {"key": "string", "value": {"type": 5}, "\x00": {},
                                                         "ttl": {"type": "\x1b[31m"}}},
        }}}))
    kv = catalog.interfaces["puter-kvstore"]
    assert kv.warnings == [
        "description is a number, not a string: ignored",
        'method "get" is a string, not an object: skipped',
        'skipped a method that is not a name: "\\u202eevil"',
        'the description of method "set" is a list, not a string: ignored',
        'parameter "key" of method "set" is a string, not an object',
        'the type of parameter "value" of method "set" is not a name: 5',
        'skipped a parameter of method "set" that is not a name: "\\x00"',
        'the type of parameter "ttl" of method "set" is not a name: "\\x1b[31m"',
    ]
    assert kv.methods["get"].source == "catalogue"
    assert [(p.name, p.type) for p in kv.methods["set"].parameters] == [
        ("key", "string"), ("value", "json"), ("ttl", "json")]
    assert "\u202eevil" not in kv.methods


async def test_lsmod_without_an_interfaces_object_keeps_the_whole_catalogue():
    catalog = await discover_from(lsmod={"interfaces": ["puter-kvstore"]})
    assert catalog.generation is None
    assert catalog.errors == ["GET /drivers/list-interfaces: HTTP 500 (broken)",
                              "GET /lsmod: no interfaces in the answer"]
    assert "puter-kvstore" in catalog.interfaces and "hello-world" in catalog.interfaces


# -- answers that are not JSON objects, and flaws --------------------------------------------------


async def test_a_json_string_answer_is_described_not_echoed():
    catalog = await discover_from(list_interfaces="\x1b[2J" + "x" * 10_000, lsmod=[1, 2])
    assert catalog.errors == ["GET /drivers/list-interfaces: the answer is a string, not an object",
                              "GET /lsmod: no interfaces in the answer"]


async def test_json_nested_too_deeply_is_an_error_not_a_crash():
    deep = b"[" * 100_000 + b"]" * 100_000
    catalog = await discover_from(list_interfaces=deep, lsmod=b'{"interfaces":' + deep + b"}")
    assert catalog.generation is None
    assert [e[: e.index(" (")] for e in catalog.errors] == ["GET /drivers/list-interfaces: HTTP 200",
                                                             "GET /lsmod: HTTP 200"]
    assert all(len(e) < 220 for e in catalog.errors)  # the answer's first line, cut short


async def test_a_flaw_in_merging_is_an_error_and_the_catalogue_is_still_returned(monkeypatch):
    def broken(self, data):
        self.interfaces["puter-kvstore"].warn("merged this far")
        raise KeyError("\x1b[2J")

    monkeypatch.setattr(Catalog, "merge_list_interfaces", broken)
    catalog = await discover_from({"puter-kvstore": {"drivers": ["puter-kvstore"]}})
    assert catalog.generation == "v2" and "puter-kvstore" in catalog.interfaces
    assert catalog.interfaces["puter-kvstore"].warnings == ["merged this far"]
    assert catalog.errors == [
        "GET /drivers/list-interfaces: the answer could not be used in full (KeyError: '\\x1b[2J')"]


async def test_a_flaw_anywhere_in_discovery_is_an_error_on_the_bundled_catalogue(monkeypatch):
    async def broken(self, path):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(client_module.Connection, "_get_json", broken)
    async with Connection("http://127.0.0.1:9", token="tok-1234567890", transport=httpx.MockTransport(None)) as c:
        catalog = await c.discover()
    assert catalog.generation is None and "puter-kvstore" in catalog.interfaces
    assert catalog.errors == ["discovery failed: RuntimeError: unexpected"]
    assert catalog.interfaces["puter-kvstore"].error == catalog.errors[0]


# -- what shows the warnings ------------------------------------------------------------------------


async def test_warnings_are_in_the_json_view_and_in_the_tree_label():
    catalog = await discover_from({"puter-kvstore": {"drivers": ["ok", "\x1b[31mred", 5], "default": 9},
                                   "puter-ocr": V2_OCR})
    data = catalog.to_json()
    assert data["interfaces"]["puter-kvstore"]["warnings"] == [
        'skipped a driver that is not a name: "\\x1b[31mred"',
        "skipped a driver that is not a name: 5",
        "default is not a name (9): ignored",
    ]
    assert data["interfaces"]["puter-ocr"]["warnings"] == []
    json.dumps(data, ensure_ascii=False).encode("utf-8")  # writable as it is
    label = interface_label(catalog.interfaces["puter-kvstore"])
    assert label.plain == 'puter-kvstore  ⚠ skipped a driver that is not a name: "\\x1b[31mred" (+2 more)'
    assert "\x1b" not in label.plain
    assert interface_label(catalog.interfaces["puter-ocr"]).plain == "puter-ocr"
