"""A call's body -> the binding and the `Call` it reaches, checked as each generation checks it.

v2 reads only `driver` and checks required args; v1 reads `driver ?? service`, validates args against the
interface spec (dropping undeclared ones) and reports every problem with its own code and fields.
"""

from __future__ import annotations

import re
from typing import Any

from explorer.demo.drivers import Binding, Call, DriverFailure, no_implementation
from explorer.demo.state import DemoState

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def resolve(body: dict[str, Any], state: DemoState) -> tuple[Binding, Call]:
    """The binding and call a body reaches; a DriverFailure says why it reaches none."""
    return v1_resolve(body, state) if state.v1 else v2_resolve(body, state)


def v2_resolve(body: dict[str, Any], state: DemoState) -> tuple[Binding, Call]:
    interface, method = body.get("interface"), body.get("method")
    if not isinstance(interface, str) or not interface:
        raise DriverFailure("bad_request", "Missing or invalid `interface`", 400)
    if not isinstance(method, str) or not method:
        raise DriverFailure("bad_request", "Missing or invalid `method`", 400)
    requested = body.get("driver") if isinstance(body.get("driver"), str) else None  # `service` is ignored
    binding = state.bindings.get(interface)
    if binding is None or (requested and requested not in binding.names):
        raise DriverFailure("not_found", f"Driver not found: {interface}:{requested or '(no default)'}", 404)
    if method not in binding.driver.method_names("v2"):
        raise DriverFailure("not_found", f"Method '{method}' not found on driver '{binding.canonical}'", 404)
    if {binding.canonical, requested} & state.forbidden:
        raise DriverFailure("forbidden", f"Permission denied for {interface}:{method}", 403)
    if not state.limiter.allow(f"{interface}.{method}"):
        raise DriverFailure("too_many_requests", "Too many requests.", 429)
    args = body.get("args") if isinstance(body.get("args"), dict) else {}
    spec = state.spec(interface, method)
    for param in spec.parameters if spec else []:
        if param.required and args.get(param.name) is None:
            raise DriverFailure("bad_request", f"Missing `{param.name}`", 400)
    call = Call("v2", interface, method, args, args.get("test_mode") is True, requested)
    return binding, call


def v1_resolve(body: dict[str, Any], state: DemoState) -> tuple[Binding, Call]:
    interface, method = body.get("interface"), body.get("method")
    if not isinstance(interface, str):
        raise DriverFailure("interface_not_found", "Interface not found: [undefined]", 404)
    binding = state.bindings.get(interface)
    if binding is None:
        if interface in state.catalog.interfaces:  # known to v1, but nothing installed implements it
            raise no_implementation(interface)
        raise DriverFailure(
            "interface_not_found", f"Interface not found: `{interface}`", 404, {"interface_name": interface}
        )
    where = {"interface_name": interface}
    if not isinstance(method, str):
        raise DriverFailure("method_not_found", f"Method not found: [undefined] on interface `{interface}`", 404, where)
    spec = state.spec(interface, method)
    if spec is None or method not in binding.driver.method_names("v1"):
        raise DriverFailure(
            "method_not_found", f"Method not found: `{method}` on interface `{interface}`", 404,
            dict(where, method_name=method),
        )
    requested = body.get("driver") or body.get("service")
    requested = requested if isinstance(requested, str) else None
    if (requested or binding.default) not in binding.names:
        raise no_implementation(interface)
    if {binding.canonical, requested} & state.forbidden:
        raise DriverFailure("forbidden", "Permission denied.", 403)
    if not state.limiter.allow(f"{interface}.{method}"):
        limit = state.limiter.limits[f"{interface}.{method}"]
        period = int(state.limiter.window * 1000)
        raise DriverFailure(
            "rate_limit_exceeded", f"Rate limit exceeded for method `{method}`: {limit} calls per {period} ms.", 429,
            {"method_name": method, "rate_limit": {"max": limit, "period": period}},
        )
    if "args" not in body and spec.parameters:  # v1 reads a field of the missing object and crashes
        raise DriverFailure(None, f"Cannot read properties of undefined (reading '{spec.parameters[0].name}')", 500, plain=True)
    raw_args = body.get("args") if isinstance(body.get("args"), dict) else {}
    args: dict[str, Any] = {}
    for param in spec.parameters:  # undeclared args are dropped
        value = raw_args.get(param.name)
        about = dict(where, method_name=method, arg_name=param.name)
        if value is None:
            if param.required:
                raise DriverFailure(
                    "missing_required_argument",
                    f"Missing required argument `{param.name}` for method `{method}` on interface `{interface}`",
                    400, about,
                )
            continue
        problem = v1_type_problem(param.type, value)
        if problem:
            raise DriverFailure(
                "argument_consolidation_failed",
                f"Failed to parse or process argument `{param.name}` for method `{method}` on interface "
                f"`{interface}`: Field `{param.name}` is invalid. {problem}",
                400, about,
            )
        args[param.name] = value
    test_mode = bool(body.get("test_mode"))
    if test_mode:
        args["test_mode"] = True
    return binding, Call("v1", interface, method, args, test_mode, requested)


def v1_type_problem(kind: str, value: Any) -> str | None:
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return "Expected number."
    if kind == "file":
        ok = isinstance(value, str) and (value.startswith(("data:", "/", "~")) or _UUID.match(value))
        return None if ok else "Expected unix-style path or UUID."
    return None
