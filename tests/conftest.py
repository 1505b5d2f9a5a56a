"""Shared pytest fixtures."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from explorer.demo import DemoServer


@pytest.fixture
def make_demo_server() -> Iterator[Callable[..., DemoServer]]:
    """Start real demo servers (any generation and options) on loopback; all stopped after the test."""
    started: list[DemoServer] = []

    def make(**options: Any) -> DemoServer:
        server = DemoServer(**options).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def demo_server() -> Iterator[DemoServer]:
    """A v2 demo server shared by the tests of one module."""
    with DemoServer(generation="v2", stream_delay=0.01) as server:
        yield server


@pytest.fixture(scope="module")
def demo_server_v1() -> Iterator[DemoServer]:
    """A v1 demo server shared by the tests of one module."""
    with DemoServer(generation="v1", stream_delay=0.01) as server:
        yield server
