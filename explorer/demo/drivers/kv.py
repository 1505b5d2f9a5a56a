"""The key-value store driver: in-memory keys with expiry, counters, object paths and paged listing."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from .base import NO_RESULT, Call, Driver, DriverFailure, bad_request, is_number

KV_VALUE_LIMIT = 408576  # bytes of JSON, the v2 limit seen on a real server


class KVStore(Driver):
    description = "A simple key-value store."
    v2_only = frozenset({"batchPut", "update", "add", "remove"})

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.expiry: dict[str, float] = {}

    def _live(self, key: str) -> bool:
        deadline = self.expiry.get(key)
        if deadline is not None and deadline <= time.time():
            self.values.pop(key, None)
            self.expiry.pop(key, None)
        return key in self.values

    def _put(self, call: Call, key: Any, value: Any, expire_at: Any = None) -> None:
        if len(json.dumps(value)) > KV_VALUE_LIMIT:
            if call.generation == "v1":
                raise DriverFailure(None, "Item size has exceeded the maximum allowed size", 400, plain=True)
            raise bad_request(f"kv: value exceeds {KV_VALUE_LIMIT} byte limit")
        key = key if isinstance(key, str) else json.dumps(key)
        self.values[key] = value
        self.expiry.pop(key, None)
        if isinstance(expire_at, (int, float)) and not isinstance(expire_at, bool) and expire_at > 0:
            self.expiry[key] = float(expire_at)

    def m_get(self, call: Call) -> Any:
        key = call.args.get("key")
        if not isinstance(key, str) or not self._live(key):
            return None
        return self.values[key]

    def m_set(self, call: Call) -> Any:
        self._put(call, call.args.get("key"), call.args.get("value"), call.args.get("expireAt"))
        return True

    def m_batchPut(self, call: Call) -> Any:
        items = call.args.get("items")
        if not isinstance(items, list) or not all(isinstance(i, dict) and "key" in i for i in items):
            raise bad_request("`items` must be an array of {key, value}")
        for item in items:
            self._put(call, item["key"], item.get("value"), item.get("expireAt"))
        return True

    def m_del(self, call: Call) -> Any:
        key = call.args.get("key")
        self.values.pop(key, None) if isinstance(key, str) else None
        return True

    def m_flush(self, call: Call) -> Any:
        self.values.clear()
        self.expiry.clear()
        return True

    def m_list(self, call: Call) -> Any:
        args = call.args
        keys = sorted(k for k in list(self.values) if self._live(k))
        pattern = args.get("pattern")
        if isinstance(pattern, str) and pattern:
            prefix = pattern[:-1] if pattern.endswith("*") else None
            keys = [k for k in keys if (k.startswith(prefix) if prefix is not None else k == pattern)]
        shape = args.get("as") or "entries"

        def shaped(selected: list[str]) -> list[Any]:
            if shape == "keys":
                return selected
            if shape == "values":
                return [self.values[k] for k in selected]
            return [{"key": k, "value": self.values[k]} for k in selected]

        paged = any(args.get(name) is not None for name in ("limit", "cursor", "includeTotal"))
        if call.generation == "v1" or not paged:
            return shaped(keys)
        start = 0
        if isinstance(args.get("cursor"), str):
            after = _decode_cursor(args["cursor"])
            start = next((i for i, k in enumerate(keys) if k > after), len(keys))
        elif isinstance(args.get("offset"), int):
            start = max(0, args["offset"])
        limit = args.get("limit") if isinstance(args.get("limit"), int) and args["limit"] > 0 else len(keys)
        page = keys[start : start + limit]
        result: dict[str, Any] = {"items": shaped(page)}
        if start + limit < len(keys) and page:
            result["cursor"] = _encode_cursor(page[-1])
        if args.get("includeTotal"):
            result["total"] = len(keys)
        return result

    def _count(self, call: Call, sign: int) -> Any:
        key = call.args.get("key")
        amounts = call.args.get("pathAndAmountMap")
        if not isinstance(amounts, dict) or not amounts:
            raise bad_request("`pathAndAmountMap` must be an object of path -> number")
        current = self.values.get(key) if self._live(key) else None
        for path, amount in amounts.items():
            if not is_number(amount):
                raise bad_request(f"amount for `{path}` must be a number")
            if path == "":
                if current is None:
                    current = 0
                if not is_number(current):
                    raise _operand_error(call)
                current = current + sign * amount
            else:
                if current is None:
                    current = {}
                if not isinstance(current, dict):
                    raise _operand_error(call)
                old = _get_path(current, path, 0)
                if not is_number(old):
                    raise _operand_error(call)
                _set_path(current, path, old + sign * amount)
        self.values[key] = current
        return current

    def m_incr(self, call: Call) -> Any:
        return self._count(call, 1)

    def m_decr(self, call: Call) -> Any:
        return self._count(call, -1)

    def m_expireAt(self, call: Call) -> Any:
        timestamp = call.args.get("timestamp")
        if not is_number(timestamp):
            raise bad_request("`timestamp` must be a number (seconds since the epoch)")
        if self._live(call.args.get("key")):
            self.expiry[call.args["key"]] = float(timestamp)
        return NO_RESULT

    def m_expire(self, call: Call) -> Any:
        ttl = call.args.get("ttl")
        if not is_number(ttl):
            raise bad_request("`ttl` must be a number (seconds)")
        if self._live(call.args.get("key")):
            self.expiry[call.args["key"]] = time.time() + float(ttl)
        return NO_RESULT

    def _object(self, call: Call, name: str) -> dict[str, Any]:
        key = call.args.get("key")
        if not isinstance(call.args.get(name), (dict, list)):
            raise bad_request(f"`{name}` must be an object")
        current = self.values.get(key) if self._live(key) else None
        if current is None:
            current = self.values[key] = {}
        if not isinstance(current, dict):
            raise _operand_error(call)
        return current

    def m_update(self, call: Call) -> Any:
        current = self._object(call, "pathAndValueMap")
        for path, value in call.args["pathAndValueMap"].items():
            _set_path(current, path, value)
        if is_number(call.args.get("ttl")):
            self.expiry[call.args["key"]] = time.time() + float(call.args["ttl"])
        return current

    def m_add(self, call: Call) -> Any:
        current = self._object(call, "pathAndValueMap")
        for path, value in call.args["pathAndValueMap"].items():
            old = _get_path(current, path, None)
            if old is None:
                _set_path(current, path, [value])
            elif isinstance(old, list):
                old.append(value)
            else:
                raise _operand_error(call)
        return current

    def m_remove(self, call: Call) -> Any:
        current = self._object(call, "paths")
        paths = call.args["paths"]
        for path in paths if isinstance(paths, list) else list(paths):
            _del_path(current, str(path))
        return current


def _operand_error(call: Call) -> DriverFailure:
    message = "An operand in the update expression has an incorrect data type"
    if call.generation == "v1":
        return DriverFailure(None, message, 400, plain=True)
    return DriverFailure("upstream_bad_request", message, 400, {"upstreamStatus": 400})


def _get_path(obj: dict[str, Any], path: str, default: Any) -> Any:
    node: Any = obj
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def _set_path(obj: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = obj
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def _del_path(obj: dict[str, Any], path: str) -> None:
    parts = path.split(".")
    node: Any = obj
    for part in parts[:-1]:
        if not isinstance(node, dict) or part not in node:
            return
        node = node[part]
    if isinstance(node, dict):
        node.pop(parts[-1], None)


def _encode_cursor(key: str) -> str:
    return base64.b64encode(json.dumps({"namespace": "demo", "key": key}).encode()).decode()


def _decode_cursor(cursor: str) -> str:
    try:
        return str(json.loads(base64.b64decode(cursor))["key"])
    except (ValueError, KeyError, TypeError):
        raise bad_request("Invalid `cursor`") from None
