"""A history entry as a command or snippet that makes the same call: curl, Python httpx, or puter.js.

The token appears as `$PUTER_AUTH_TOKEN` (read from the environment when the snippet runs) unless the
caller passes it explicitly.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from .protocol.origins import derive_gui_origin

FORMATS = ("curl", "httpx", "puterjs")
TOKEN_VARIABLE = "PUTER_AUTH_TOKEN"


def export_call(origin: str, body: dict[str, Any], fmt: str, token: str | None = None) -> str:
    if fmt == "curl":
        return _curl(origin, body, token)
    if fmt == "httpx":
        return _httpx(origin, body, token)
    if fmt == "puterjs":
        return _puterjs(body)
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


def _puterjs(body: dict[str, Any]) -> str:
    # puter.js authenticates through the browser session; no token goes into the snippet.
    args = dict(body.get("args") or {}) if isinstance(body.get("args"), dict) else body.get("args")
    test_mode = bool(body.get("test_mode"))
    if isinstance(args, dict):
        args.pop("test_mode", None) if not test_mode else None
    service = body.get("driver") or body.get("service")
    service_js = json.dumps(service) if service else "undefined"
    return (
        f"const result = await puter.drivers.call({json.dumps(body.get('interface'))}, {service_js}, "
        f"{json.dumps(body.get('method'))}, {json.dumps(args, ensure_ascii=False)});\n"
        "console.log(result);"
    )
