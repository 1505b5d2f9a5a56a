"""What the connection and the login share about HTTP: the client settings, and transport errors as failures."""

from __future__ import annotations

import ssl
from urllib.request import getproxies  # what httpx reads the proxies from

import httpx

from .outcomes import FailureKind
from .request import Timeouts

USER_AGENT = "puter-explorer"


def tls_verify(origin: str) -> ssl.SSLContext | bool:
    """The `verify` setting of a client that only ever asks `origin` (redirects are not followed).

    An http:// origin reached without a proxy never does TLS, so loading the CA bundle (tens of ms at
    start-up) buys nothing: it gets a context with nothing loaded that still requires a valid
    certificate and host name, so any https request made through it fails closed. Everything else
    (https, or a proxy from the environment, which may itself be https) verifies as usual.
    """
    if not origin.startswith("http://") or any(getproxies().get(k) for k in ("http", "https", "all")):
        return True
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname by default


def httpx_timeout(timeouts: Timeouts, read: float) -> httpx.Timeout:
    return httpx.Timeout(connect=timeouts.connect, read=read, write=timeouts.write, pool=timeouts.pool)


def transport_failure(exc: httpx.HTTPError, origin: str) -> tuple[FailureKind, str]:
    """The failure kind and a message for a person (which may hold what the server said: redact it)."""
    if isinstance(exc, httpx.TimeoutException):
        what = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for data",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(exc), "waiting")
        return "timeout", f"timed out {what} ({origin})"
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, ssl.SSLError) or "SSL" in str(exc) or "CERTIFICATE" in str(exc).upper():
        return "tls", f"TLS problem with {origin}: {str(exc) or type(exc).__name__}"
    if isinstance(exc, httpx.ConnectError):
        return "connect", f"could not connect to {origin}: {str(exc) or 'connection failed'}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "protocol", f"the server broke the HTTP protocol or closed the connection: {str(exc) or 'no details'}"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.NetworkError)):
        return "connect", f"the connection to {origin} was reset: {str(exc) or type(exc).__name__}"
    if isinstance(exc, httpx.DecodingError):
        return "protocol", f"the body could not be decoded: {exc}"
    return "protocol", f"{type(exc).__name__}: {exc}"
