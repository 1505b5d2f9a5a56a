"""The demo server as a Starlette app: routes, auth, dispatch, and the wire shapes of each generation.

v1 answers driver errors as HTTP 200 `{success:false, error:{...}}` and wants an `Origin` header on every
POST; v2 answers real statuses with `{error, message, code}`. How a call's body is read and checked per
generation is in `resolve`; parameter facts come from the bundled catalogue, so they match what clients show.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from typing import Any, AsyncIterator, Callable, Iterable, Mapping

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from explorer.demo.drivers import (
    APIERROR,
    CHAT_MODELS,
    HIDDEN_MODELS,
    NO_RESULT,
    Binding,
    BinaryReply,
    DriverFailure,
    Reply,
    StreamReply,
)
from explorer.demo.resolve import resolve
from explorer.demo.state import DemoState

GENERATIONS = ("v1", "v2")
_V1_TYPES = {"string", "flag", "number", "json", "file"}


class _Reject(Exception):
    """Stop handling a request and answer `response` (auth, origin, body errors)."""

    def __init__(self, response: Response):
        self.response = response


DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"
DEMO_USER = {"username": DEMO_USERNAME, "uuid": "00000000-0000-4000-8000-000000000001", "email": None,
             "email_confirmed": False, "is_temp": False}


def create_app(
    *,
    generation: str = "v2",
    token: str | None = None,
    rate_limits: Mapping[str, int] | None = None,
    forbidden_drivers: Iterable[str] = (),
    stream_delay: float = 0.05,
    rate_window: float = 60.0,
    rate_clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """The demo app. `rate_limits` maps `interface.method` to calls allowed per `rate_window` seconds (of
    `rate_clock`); calls naming (or defaulting to) a driver in `forbidden_drivers` are refused as a permission error."""
    if generation not in GENERATIONS:
        raise ValueError(f"generation must be one of {GENERATIONS}, not {generation!r}")
    state = DemoState(
        generation, token or secrets.token_urlsafe(24), rate_limits, forbidden_drivers, stream_delay, rate_window,
        rate_clock,
    )

    async def drivers_call(request: Request) -> Response:
        if request.method != "POST":
            return _not_found(state)
        try:
            body = await _post_body(request, state)
            _authenticate(request, body, state)
        except _Reject as reject:
            return reject.response
        return await _dispatch(body, state)

    async def login(request: Request) -> Response:
        """POST /login: the demo account is `demo` with the password `demo`; answers with the API token."""
        try:
            body = await _post_body(request, state)
        except _Reject as reject:
            return reject.response
        name = body.get("username") or body.get("email")
        if name != DEMO_USERNAME or body.get("password") != DEMO_PASSWORD:
            if state.v1:
                return Response("Incorrect password.", status_code=400, media_type="text/plain")
            return _v2_error(401, "Incorrect password.", "password_mismatch")
        return JSONResponse({"proceed": True, "next_step": "complete", "token": state.token, "user": DEMO_USER})

    async def whoami(request: Request) -> Response:
        """GET /whoami: the account of the token (a few of the fields real servers send)."""
        try:
            _authenticate(request, {}, state)
        except _Reject as reject:
            return reject.response
        return JSONResponse(DEMO_USER)

    async def list_interfaces(request: Request) -> Response:
        try:
            _authenticate(request, {}, state)
        except _Reject as reject:
            return reject.response
        if state.v1:  # the v1 route calls a method that no longer exists
            return _html(500, "Internal Server Error")
        return JSONResponse(
            {
                b.interface: {"drivers": list(b.names), "default": b.canonical}
                for b in state.bindings.values()
            }
        )

    async def lsmod(request: Request) -> Response:
        try:
            body = await _post_body(request, state) if request.method == "POST" else {}
            _authenticate(request, body, state)
        except _Reject as reject:
            return reject.response
        return JSONResponse(_lsmod(state))

    async def chat_models(request: Request) -> Response:
        ids = [m["id"] for m in CHAT_MODELS if state.v1 or m["id"] not in HIDDEN_MODELS]
        return JSONResponse({"models": ids})

    async def chat_model_details(request: Request) -> Response:
        return JSONResponse({"models": [m for m in CHAT_MODELS if state.v1 or m["id"] not in HIDDEN_MODELS]})

    async def fallback(request: Request) -> Response:
        if request.method == "OPTIONS":  # CORS preflight
            origin = request.headers.get("origin", "*")
            return PlainTextResponse(
                "OK",
                headers={
                    "Access-Control-Allow-Origin": origin if state.v1 else "*",
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": "Origin, Content-Type, Accept, Authorization",
                },
            )
        return _not_found(state)

    every = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
    routes = [
        Route("/drivers/call", drivers_call, methods=every),
        Route("/drivers/list-interfaces", list_interfaces, methods=["GET"]),
        Route("/lsmod", lsmod, methods=["GET", "POST"]),
        Route("/login", login, methods=["POST"]),
        Route("/whoami", whoami, methods=["GET"]),
        Route("/puterai/chat/models", chat_models, methods=["GET"]),
        Route("/puterai/chat/models/details", chat_model_details, methods=["GET"]),
        Route("/{path:path}", fallback, methods=every),
    ]
    app = Starlette(routes=routes)
    app.state.token = state.token
    app.state.generation = generation
    app.state.demo = state
    return app


# -- request checks ---------------------------------------------------------------------------


async def _post_body(request: Request, state: DemoState) -> dict[str, Any]:
    if state.v1 and "origin" not in request.headers:
        raise _Reject(_html(403, "Forbidden"))
    content_type = request.headers.get("content-type", "").lower()
    if state.v1 and not content_type:
        raise _Reject(_html(500, "Internal Server Error"))
    raw = await request.body()
    is_json = content_type.startswith("application/json") or (
        content_type.startswith("text/plain") and "actually=json" in content_type
    )
    if not is_json or not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        if state.v1:
            raise _Reject(_html(500, "Internal Server Error")) from None
        raise _Reject(_v2_error(400, "Malformed JSON in request body", "client_bad_json")) from None
    return body if isinstance(body, dict) else {}


def _authenticate(request: Request, body: dict[str, Any], state: DemoState) -> None:
    token = body.get("auth_token") if isinstance(body.get("auth_token"), str) else None
    header = request.headers.get("authorization", "")
    if token is None and header.startswith("Bearer ") and header[7:].strip():
        token = header[7:].strip()
    if token is None and not state.v1 and request.headers.get("x-api-key"):
        token = request.headers["x-api-key"]
    if token is None:
        token = request.query_params.get("auth_token")
    if not token:
        raise _Reject(_auth_error(state, "token_missing"))
    if not secrets.compare_digest(token.encode(), state.token.encode()):
        raise _Reject(_auth_error(state, "token_auth_failed"))


def _auth_error(state: DemoState, code: str) -> Response:
    text = "Missing authentication token" if code == "token_missing" else "Authentication failed"
    if state.v1:
        return JSONResponse({"message": text + ".", "code": code}, status_code=401)
    return _v2_error(401, text, code)


# -- dispatch ---------------------------------------------------------------------------------


async def _dispatch(body: dict[str, Any], state: DemoState) -> Response:
    try:
        binding, call = resolve(body, state)
        outcome = binding.driver.handler(call.method)(call)
    except DriverFailure as failure:
        return _driver_error(failure, state)
    except Exception as error:  # a bug in a demo driver: answer like the real servers do
        logging.getLogger(__name__).exception("a demo driver failed: %r.%r", body.get("interface"), body.get("method"))
        if state.v1:
            return JSONResponse({"success": False, "error": str(error)})
        return _v2_error(500, "Internal Server Error", "internal_error")
    return _success(outcome, binding, state, call.requested_driver)


# -- answers ----------------------------------------------------------------------------------


def _success(outcome: Any, binding: Binding, state: DemoState, requested: str | None = None) -> Response:
    if isinstance(outcome, BinaryReply):
        return Response(outcome.data, media_type=outcome.content_type)
    if isinstance(outcome, StreamReply):
        return StreamingResponse(_ndjson(outcome.lines, state.stream_delay), media_type="application/x-ndjson")
    metadata: dict[str, Any] = {}
    if isinstance(outcome, Reply):
        outcome, metadata = outcome.value, outcome.metadata
    service: dict[str, Any] = {"name": binding.canonical}
    if state.v1:
        name = binding.answering_name(requested)  # v1 names the service after aliasing; v2 the canonical one
        service = {"version": binding.version, "name": name} if binding.version else {"name": name}
        body: dict[str, Any] = {"success": True, "service": service}
        if outcome is not NO_RESULT:
            body["result"] = outcome
        body["metadata"] = metadata
        return JSONResponse(body)
    body = {"success": True}
    if outcome is not NO_RESULT:
        body["result"] = outcome
    body["service"] = service
    if metadata:
        body["metadata"] = metadata
    return JSONResponse(body)


async def _ndjson(lines: list[dict[str, Any]], delay: float) -> AsyncIterator[bytes]:
    for index, line in enumerate(lines):
        if index and delay > 0:  # let a client see the chunks arrive one by one
            await asyncio.sleep(delay)
        yield (json.dumps(line, separators=(",", ":")) + "\n").encode()


def _driver_error(failure: DriverFailure, state: DemoState) -> Response:
    if state.v1:
        if failure.plain or failure.code is None:
            return JSONResponse({"success": False, "error": failure.message})
        error = dict(failure.fields, code=failure.code)
        error.update({"$": APIERROR, "message": failure.message, "status": failure.status})
        return JSONResponse({"success": False, "error": error})
    return _v2_error(failure.status, failure.message, failure.code, failure.fields)


def _v2_error(status: int, message: str, code: str | None, fields: Mapping[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {"error": message, "message": message}
    if code:
        body["code"] = code
    body.update(fields or {})
    return JSONResponse(body, status_code=status)


def _html(status: int, text: str) -> Response:
    return Response(text, status_code=status, media_type="text/html")


def _not_found(state: DemoState) -> Response:
    return _html(404, "Not Found") if state.v1 else _v2_error(404, "Not Found", "not_found")


def _lsmod(state: DemoState) -> dict[str, Any]:
    if not state.v1:
        return {
            "interfaces": {
                name: {"implementors": {b.canonical: {"isDefault": True}}} for name, b in state.bindings.items()
            }
        }
    interfaces: dict[str, Any] = {}
    for name, binding in state.bindings.items():
        iface = state.catalog.interfaces.get(name)
        served = binding.driver.method_names("v1")
        methods = {
            method.name: {
                "parameters": {p.name: {"type": p.type if p.type in _V1_TYPES else None} for p in method.parameters},
                "result": {"type": method.result if method.result in _V1_TYPES else None},
            }
            for method in (iface.methods.values() if iface else [])
            if method.name in served
        }
        spec = {"description": binding.driver.description, "methods": methods}
        implementors = {service: {} for service in (binding.canonical, *binding.services)}
        interfaces[name] = {"spec": spec, "implementors": implementors}
    services = [
        {"name": service, "traits": [name]}
        for name, b in state.bindings.items()
        for service in (b.canonical, *b.services)
    ]
    return {"interfaces": interfaces, "services": services}
