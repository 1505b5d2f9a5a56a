"""Origins as users write them, and reaching `.localhost` names without the system resolver."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

DEFAULT_API_ORIGIN = "https://api.puter.com"


def normalise_origin(text: str) -> str:
    """`api.puter.com` -> `https://api.puter.com`; `puter.localhost:4100/` -> `http://puter.localhost:4100`."""
    text = text.strip()
    if not text:
        raise ValueError("an origin cannot be empty")
    if "://" not in text:
        host = text.split("/")[0].split(":")[0]
        scheme = "http" if _is_loopback_name(host) else "https"
        text = f"{scheme}://{text}"
    import httpx  # here, not at the top: reading the config at start-up must not load the HTTP stack

    url = httpx.URL(text)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"not an http(s) origin: {text!r}")
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


def derive_gui_origin(api_origin: str) -> str:
    """The GUI (root) origin that login and the Origin header use: `api.X` -> `X`."""
    import httpx

    url = httpx.URL(normalise_origin(api_origin))
    host = url.host[4:] if url.host.startswith("api.") else url.host
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{host}{port}"


def derive_api_origin(gui_origin: str) -> str:
    """The API origin of a self-hosted Puter: `api.` + the GUI host. A bare IP address has no
    subdomains, so a server reached by address serves both on the same origin."""
    import httpx

    url = httpx.URL(normalise_origin(gui_origin))
    try:
        ipaddress.ip_address(url.host)
        return normalise_origin(gui_origin)
    except ValueError:
        port = f":{url.port}" if url.port else ""
        return f"{url.scheme}://api.{url.host}{port}"


def _is_loopback_name(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(".localhost") or host.startswith("127.") or host == "[::1]"


def loopback_target(url: httpx.URL) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    """Where to connect for `url`, plus the headers and extensions that keep its real name.

    Names under `.localhost` always mean loopback (browsers and curl treat them so), but the system
    resolver may not know them. We connect to 127.0.0.1 and keep the real Host header (the server routes
    on the `api.` label) and the real TLS server name.
    """
    host = url.host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        host_header = url.host + (f":{url.port}" if url.port else "")
        return url.copy_with(host="127.0.0.1"), {"Host": host_header}, {"sni_hostname": url.host}
    return url, {}, {}
