"""The demo server's state: its generation and token, the drivers it serves, and its per-method rate limits."""

from __future__ import annotations

import time
from collections import deque
from typing import Callable, Iterable, Mapping

from explorer.demo.drivers import Binding, build_bindings
from explorer.protocol.catalog import Catalog, Method


class RateLimiter:
    """A sliding window per `interface.method`; the demo has a single user.

    `clock` gives the time in seconds (monotonic by default); a test passes its own to move time at will.
    """

    def __init__(
        self, limits: Mapping[str, int] | None, window: float, clock: Callable[[], float] = time.monotonic
    ):
        self.limits = dict(limits or {})
        self.window = window
        self.clock = clock
        self.hits: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        limit = self.limits.get(key)
        if limit is None:
            return True
        now = self.clock()
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
        rate_clock: Callable[[], float] = time.monotonic,
    ):
        self.generation = generation
        self.token = token
        self.bindings: dict[str, Binding] = build_bindings(generation)
        self.catalog = Catalog.bundled(generation)
        self.limiter = RateLimiter(rate_limits, rate_window, rate_clock)
        self.forbidden = set(forbidden_drivers)
        self.stream_delay = stream_delay

    @property
    def v1(self) -> bool:
        return self.generation == "v1"

    def spec(self, interface: str, method: str) -> Method | None:
        return self.catalog.method(interface, method)
