"""A history entry as a command or snippet that makes the same call: curl, Python httpx, or puter.js
(the idiomatic call, e.g. `puter.kv.set(...)`, or `puterjs-drivers` for `puter.drivers.call(...)`).

The token appears as `$PUTER_AUTH_TOKEN` (read from the environment when the snippet runs) unless the
caller passes it explicitly.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from .protocol.origins import derive_gui_origin
from .puterjs import drivers_call, idiomatic

FORMATS = ("curl", "httpx", "puterjs", "puterjs-drivers")
TOKEN_VARIABLE = "PUTER_AUTH_TOKEN"


def export_call(origin: str, body: dict[str, Any], fmt: str, token: str | None = None) -> str:
    if fmt == "curl":
        return _curl(origin, body, token)
    if fmt == "httpx":
        return _httpx(origin, body, token)
    if fmt == "puterjs":
        return idiomatic(body)
    if fmt == "puterjs-drivers":
        return drivers_call(body)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _curl(origin: str, body: dict[str, Any], token: str | None) -> str:
    auth = shlex.quote(f"Authorization: Bearer {token}") if token else f'"Authorization: Bearer ${TOKEN_VARIABLE}"'
    return " \\\n  ".join([
        f"curl -sS -X POST {shlex.quote(origin + '/drivers/call')}",
        "-H 'Content-Type: application/json'",
        f"-H {shlex.quote('Origin: ' + derive_gui_origin(origin))}",
        f"-H {auth}",
        f"--data-binary {shlex.quote(json.dumps(body, ensure_ascii=False))}",
    ])


def _httpx(origin: str, body: dict[str, Any], token: str | None) -> str:
    token_expr = repr(token) if token else f'os.environ["{TOKEN_VARIABLE}"]'
    return "\n".join([
        "import json, os",
        "import httpx",
        "",
        f"body = json.loads({json.dumps(json.dumps(body, ensure_ascii=False))})",
        "response = httpx.post(",
        f"    {(origin + '/drivers/call')!r},",
        "    json=body,",
        "    headers={",
        f"        \"Authorization\": \"Bearer \" + {token_expr},",
        f"        \"Origin\": {derive_gui_origin(origin)!r},",
        "    },",
        "    timeout=60,",
        ")",
        "print(response.status_code, response.headers.get('content-type'))",
        "print(response.text if 'json' in response.headers.get('content-type', '') else f'{len(response.content)} bytes')",
    ])
