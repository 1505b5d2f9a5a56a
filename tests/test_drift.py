"""Catalogue drift: what a server offers beyond the bundled catalogue, from live and captured discovery."""

from __future__ import annotations

import json

import pytest

from explorer.drift import compare, render
from explorer.protocol.catalog import Catalog
from explorer.protocol.client import Connection
from tests.puter_fixtures import FIXTURES_DIR, load


async def discovered(server, tmp_path) -> Catalog:
    connection = Connection(server.origin, server.token, download_dir=tmp_path / "r")
    try:
        return await connection.discover()
    finally:
        await connection.aclose()


async def test_the_demo_servers_of_both_generations_offer_nothing_the_catalogue_does_not_know(
    demo_server, demo_server_v1, tmp_path
):
    for server in (demo_server, demo_server_v1):
        catalog = await discovered(server, tmp_path)
        drift = compare(catalog)
        assert (catalog.generation, drift.new) == (server.generation, [])
        assert "new on the server: nothing" in render(drift)


@pytest.mark.parametrize("generation, capture, merge", [
    ("v2", "list-interfaces", Catalog.merge_list_interfaces),
    ("v1", "lsmod", Catalog.merge_lsmod),
])
def test_the_captured_discovery_of_real_servers_is_all_known(generation, capture, merge):
    catalog = Catalog.bundled(generation)
    merge(catalog, json.loads(load(FIXTURES_DIR / generation / f"{capture}.txt").body))
    drift = compare(catalog)
    assert drift.new == []


def test_a_method_parameter_and_service_the_catalogue_does_not_know_are_new():
    catalog = Catalog.bundled("v1")
    catalog.merge_lsmod({"interfaces": {
        "puter-kvstore": {"implementors": {"puter-kvstore": {}, "kv-next": {}},
                          "spec": {"methods": {"get": {"parameters": {"key": {"type": "string"},
                                                                      "consistency": {"type": "string"}}},
                                               "teleport": {"parameters": {}}}}},
        "puter-holograms": {"implementors": {"holo": {}}},
    }})
    new = compare(catalog).new
    assert ("interface", "puter-holograms") in new
    assert ("service", "puter-kvstore", "kv-next") in new
    assert ("method", "puter-kvstore", "teleport") in new
    assert ("parameter", "puter-kvstore", "get", "consistency") in new
    assert ("method", "puter-kvstore", "get") not in new
