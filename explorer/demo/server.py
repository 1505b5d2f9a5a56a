"""Run the demo app with uvicorn on 127.0.0.1, in a background thread or in the foreground."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Iterable, Mapping

import uvicorn

from explorer.demo.app import DEMO_PASSWORD, DEMO_USERNAME, create_app


class DemoServer:
    """The demo server on loopback, on a port the OS picks. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        *,
        generation: str = "v2",
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limits: Mapping[str, int] | None = None,
        forbidden_drivers: Iterable[str] = (),
        stream_delay: float = 0.05,
        rate_window: float = 60.0,
        rate_clock: Callable[[], float] = time.monotonic,
    ):
        self.app = create_app(
            generation=generation,
            token=token,
            rate_limits=rate_limits,
            forbidden_drivers=forbidden_drivers,
            stream_delay=stream_delay,
            rate_window=rate_window,
            rate_clock=rate_clock,
        )
        config = uvicorn.Config(
            self.app,
            host=host,
            port=port,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self._host = host
        self._port: int | None = None

    @property
    def token(self) -> str:
        return self.app.state.token

    @property
    def generation(self) -> str:
        return self.app.state.generation

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the demo server is not started")
        return self._port

    @property
    def origin(self) -> str:
        return f"http://{self._host}:{self.port}"

    def start(self, timeout: float = 10.0) -> DemoServer:
        """Start serving; return once the socket accepts connections."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._server.run, name="demo-server", daemon=True)
        self._thread.start()
        ready = threading.Event()
        while not ready.wait(0.01):  # uvicorn sets `started` after binding
            if self._server.started:
                ready.set()
            elif not self._thread.is_alive():
                raise RuntimeError("the demo server could not start")
            timeout -= 0.01
            if timeout <= 0:
                self.stop()
                raise TimeoutError("the demo server did not start in time")
        sockets = [s for server in self._server.servers for s in server.sockets]
        self._port = sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def serve_forever(host: str = "127.0.0.1", port: int = 0, generation: str = "v2", token: str | None = None) -> None:
    """Serve until interrupted, after printing the origin and the token to use."""
    server = DemoServer(generation=generation, token=token, host=host, port=port)
    server.start()
    print(f"origin: {server.origin}", flush=True)
    print(f"token: {server.token}", flush=True)
    print(f"login: username {DEMO_USERNAME}, password {DEMO_PASSWORD} (POST /login)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
