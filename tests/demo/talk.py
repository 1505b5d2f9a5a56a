"""Helpers for talking to a demo server over loopback with plain httpx."""

from __future__ import annotations

from typing import Any

import httpx

from explorer.demo import DemoServer

ORIGIN = "http://puter.localhost"  # v1 refuses a POST without an Origin header


def client(server: DemoServer, **headers: str) -> httpx.Client:
    base = {"Authorization": f"Bearer {server.token}", "Origin": ORIGIN}
    return httpx.Client(base_url=server.origin, headers={**base, **headers}, timeout=10)


def call(server: DemoServer, interface: str, method: str, args: Any = None, **fields: Any) -> httpx.Response:
    body = {"interface": interface, "method": method, **fields}
    if args is not None:
        body["args"] = args
    with client(server) as http:
        return http.post("/drivers/call", json=body)


def shape(value: Any) -> Any:
    """The key structure of a JSON value: dict keys, the shape of a list's first item, and 'scalar'."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return "scalar"
