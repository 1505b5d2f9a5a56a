"""The demo server's state: its generation and token, the drivers it serves, and its per-method rate limits."""

from __future__ import annotations

import time
from collections import deque
from typing import Iterable, Mapping

from explorer.demo.drivers import Binding, build_bindings
from explorer.protocol.catalog import Catalog, Method


class RateLimiter:
    """A sliding window per `interface.method`; the demo has a single user."""

    def __init__(self, limits: Mapping[str, int] | None, window: float):
        self.limits = dict(limits or {})
        self.window = window
        self.hits: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        limit = self.limits.get(key)
        if limit is None:
            return True
        now = time.monotonic()
        hits = self.hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now)
        return True


class DemoState:
    def __init__(
        self,
        generation: str,
        token: str,
        rate_limits: Mapping[str, int] | None,
        forbidden_drivers: Iterable[str],
        stream_delay: float,
        rate_window: float,
    ):
        self.generation = generation
        self.token = token
        self.bindings: dict[str, Binding] = build_bindings(generation)
        self.catalog = Catalog.bundled(generation)
        self.limiter = RateLimiter(rate_limits, rate_window)
        self.forbidden = set(forbidden_drivers)
        self.stream_delay = stream_delay

    @property
    def v1(self) -> bool:
        return self.generation == "v1"

    def spec(self, interface: str, method: str) -> Method | None:
        return self.catalog.method(interface, method)
