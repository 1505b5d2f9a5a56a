"""Logging in to a self-hosted Puter with a user name and password, for a token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from .interpret import first_line
from .origins import loopback_target, normalise_origin
from .request import Timeouts
from .transport import USER_AGENT, httpx_timeout, transport_failure

__all__ = ["LoginError", "LoginResult", "login", "whoami"]


@dataclass
class LoginResult:
    token: str
    user: dict[str, Any]


class LoginError(Exception):
    """Login failed; the message is for a person and never holds the password."""


async def login(
    gui_origin: str,
    username: str,
    password: str,
    *,
    timeouts: Timeouts | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> LoginResult:
    """POST /login on the root (GUI) host, with `Origin` set to that host (accepted by both generations)."""
    origin = normalise_origin(gui_origin)
    t = timeouts or Timeouts()
    url, extra_headers, extensions = loopback_target(httpx.URL(origin + "/login"))
    field_name = "email" if "@" in username else "username"
    headers = {"Content-Type": "application/json", "Origin": origin, "User-Agent": USER_AGENT, **extra_headers}
    client = httpx.AsyncClient(transport=transport, follow_redirects=False, timeout=httpx_timeout(t, t.read))
    async with client:
        try:
            response = await client.post(
                url, json={field_name: username, "password": password}, headers=headers, extensions=extensions
            )
        except httpx.HTTPError as exc:
            raise LoginError(transport_failure(exc, origin)[1]) from None
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    if response.status_code == 202 or (isinstance(body, dict) and body.get("next_step") == "otp"):
        raise LoginError("this account uses two-factor authentication; log in with a token instead")
    if response.status_code == 200 and isinstance(body, dict) and isinstance(body.get("token"), str):
        user = body.get("user") if isinstance(body.get("user"), dict) else {}
        return LoginResult(token=body["token"], user=user)
    detail = _detail(response, body)
    raise LoginError(f"login refused: HTTP {response.status_code}" + (f": {detail}" if detail else ""))


async def whoami(
    api_origin: str,
    token: str,
    *,
    timeouts: Timeouts | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """The account `token` belongs to, from GET /whoami on the API origin: a cheap authenticated call that
    both server generations answer, and refuse with 401 for a bad token. Raises LoginError otherwise."""
    origin = normalise_origin(api_origin)
    t = timeouts or Timeouts()
    url, extra_headers, extensions = loopback_target(httpx.URL(origin + "/whoami"))
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "User-Agent": USER_AGENT,
               **extra_headers}
    client = httpx.AsyncClient(transport=transport, follow_redirects=False, timeout=httpx_timeout(t, t.read))
    async with client:
        try:
            response = await client.get(url, headers=headers, extensions=extensions)
        except httpx.HTTPError as exc:
            raise LoginError(transport_failure(exc, origin)[1].replace(token, "<redacted>")) from None
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    if response.status_code == 200 and isinstance(body, dict):
        return body
    detail = _detail(response, body).replace(token, "<redacted>")
    what = ("the token was refused" if response.status_code in (401, 403)
            else f"{origin} did not confirm the token (is it the API origin?)")
    raise LoginError(f"{what}: HTTP {response.status_code}" + (f": {detail}" if detail else ""))


def _detail(response: httpx.Response, body: Any) -> str:
    """The server's own words for a refusal, as one short printable line."""
    if isinstance(body, dict):
        detail = body.get("message") or body.get("error") or body.get("code")
        if isinstance(detail, dict):
            detail = detail.get("message") or detail.get("code")
        return first_line(str(detail).encode()) if detail else ""
    return first_line(response.content)
