"""The offline drivers of the demo server: in-memory state, fake AI, generated media.

A driver method receives a `Call` and returns a JSON value, a `Reply` (value + metadata), `NO_RESULT`
(the real servers omit `result` for some methods), a `BinaryReply` or a `StreamReply`. It raises
`DriverFailure` for a driver error; `app.py` turns both into the wire shapes of the generation.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

from explorer.demo.media import png_gradient, wav_tone

APIERROR = "heyputer:api/APIError"
KV_VALUE_LIMIT = 408576  # bytes of JSON, the v2 limit seen on a real server
DEMO_USER = {"username": "demo", "uuid": "00000000-0000-4000-8000-00000000d3e0"}


class DriverFailure(Exception):
    """A driver error. `plain` marks errors that v1 reports as a bare string (not an APIError)."""

    def __init__(
        self, code: str | None, message: str, status: int, fields: dict[str, Any] | None = None, plain: bool = False
    ):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.fields = dict(fields or {})
        self.plain = plain


def bad_request(message: str) -> DriverFailure:
    return DriverFailure("bad_request", message, 400)


class _NoResult:
    def __repr__(self) -> str:
        return "NO_RESULT"


NO_RESULT = _NoResult()


@dataclass
class Reply:
    value: Any
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class BinaryReply:
    data: bytes
    content_type: str


@dataclass
class StreamReply:
    lines: list[dict[str, Any]]  # sent one per line, with a delay between text lines


@dataclass
class Call:
    generation: str
    interface: str
    method: str
    args: dict[str, Any]
    test_mode: bool = False
    requested_driver: str | None = None


class Driver:
    """Methods are `m_<name>`; `v1_only` / `v2_only` narrow them to one generation."""

    description = ""
    v1_only: frozenset[str] = frozenset()
    v2_only: frozenset[str] = frozenset()

    def method_names(self, generation: str) -> set[str]:
        names = {n[2:] for n in dir(self) if n.startswith("m_")}
        excluded = self.v2_only if generation == "v1" else self.v1_only
        return names - excluded

    def handler(self, method: str) -> Callable[[Call], Any]:
        return getattr(self, "m_" + method)


# -- key-value store --------------------------------------------------------------------------


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
            if not _is_number(amount):
                raise bad_request(f"amount for `{path}` must be a number")
            if path == "":
                if current is None:
                    current = 0
                if not _is_number(current):
                    raise _operand_error(call)
                current = current + sign * amount
            else:
                if current is None:
                    current = {}
                if not isinstance(current, dict):
                    raise _operand_error(call)
                old = _get_path(current, path, 0)
                if not _is_number(old):
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
        if not _is_number(timestamp):
            raise bad_request("`timestamp` must be a number (seconds since the epoch)")
        if self._live(call.args.get("key")):
            self.expiry[call.args["key"]] = float(timestamp)
        return NO_RESULT

    def m_expire(self, call: Call) -> Any:
        ttl = call.args.get("ttl")
        if not _is_number(ttl):
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
        if _is_number(call.args.get("ttl")):
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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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


# -- chat -------------------------------------------------------------------------------------

CHAT_MODELS: list[dict[str, Any]] = [
    {
        "id": model_id,
        "aliases": [],
        "costs_currency": "usd-cents",
        "costs": {"input-tokens": cost_in, "output-tokens": cost_out},
        "max_tokens": 8192,
        "provider": "fake-chat",
    }
    for model_id, cost_in, cost_out in (("abuse", 0, 0), ("costly", 1000, 2000), ("fake", 0, 0))
]
HIDDEN_MODELS = {"abuse", "costly", "fake"}  # v2 hides these from /puterai/chat/models
SECOND_CHAT = "fake-chat-2"  # a second chat service with its own answer, so services can be compared offline


class Chat(Driver):
    description = "Chatbot."

    def m_models(self, call: Call) -> Any:
        return [dict(m) for m in CHAT_MODELS]

    def m_list(self, call: Call) -> Any:
        return [m["id"] for m in CHAT_MODELS]

    def m_complete(self, call: Call) -> Any:
        args = call.args
        model = args.get("model")
        if model is None and (args.get("provider") == "fake-chat" or call.generation == "v1"):
            model = "fake"
        if model not in {m["id"] for m in CHAT_MODELS}:
            if call.generation == "v1":
                raise DriverFailure(
                    "field_invalid", f"Model not found, please try one of: {', '.join(self.m_list(call))}", 400,
                    {"key": "model", "got": model},
                )
            raise bad_request(f"Model not found: {'undefined' if model is None else model}")
        messages = args.get("messages")
        if not isinstance(messages, list):
            raise bad_request("`messages` must be an array")
        second = call.requested_driver == SECOND_CHAT
        text = second_reply(messages) if second else fake_reply(messages)
        tokens_in = sum(len(str(m.get("content", "")).split()) for m in messages if isinstance(m, dict))
        usage: dict[str, Any] = {"input_tokens": tokens_in, "output_tokens": len(text.split())}
        if call.generation == "v2":
            usage["usd_cents"] = None
        if args.get("stream") is True:
            pieces = [{"type": "text", "text": piece} for piece in split_for_stream(text)]
            return StreamReply(pieces + [{"type": "usage", "usage": usage}])
        message = {
            "id": "00000000-0000-0000-0000-000000000000",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": dict(usage),
        }
        result = {"message": message, "usage": dict(usage), "finish_reason": "stop", "via_ai_chat_service": True}
        return Reply(result, {"service_used": SECOND_CHAT if second else "fake-chat", "providerUsed": "fake"})


def fake_reply(messages: list[Any]) -> str:
    said = _last_user_text(messages)
    return (
        "This is a fake answer from the demo server. "
        f"You wrote {len(said)} characters"
        + (f", starting with: {said[:60]}. " if said else ". ")
        + "Nothing here came from a language model. "
        "The demo server runs offline on your own machine, without any account. "
        "Use it to try the explorer before you connect to a real Puter server."
    )


def second_reply(messages: list[Any]) -> str:
    said = _last_user_text(messages)
    return (
        f"Second opinion from {SECOND_CHAT}: your message has {len(said.split())} words. "
        "This service of the demo server answers differently on purpose, so that two services can be compared."
    )


def _last_user_text(messages: list[Any]) -> str:
    last = next((m for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"), None)
    content = last.get("content") if last else None
    if isinstance(content, list):  # content parts
        content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return " ".join(str(content or "").split())[:200]


def split_for_stream(text: str, pieces: int = 6) -> list[str]:
    words = text.split(" ")
    size = max(1, -(-len(words) // pieces))
    groups = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    return [g + (" " if i < len(groups) - 1 else "") for i, g in enumerate(groups)]


# -- speech, images, OCR ----------------------------------------------------------------------

VOICES = [
    {"id": "demo-a4", "name": "Demo A4 (440 Hz)", "language": {"name": "English (US)", "code": "en-US"}},
    {"id": "demo-e5", "name": "Demo E5 (659 Hz)", "language": {"name": "English (GB)", "code": "en-GB"}},
]
VOICE_FREQUENCIES = {"demo-a4": 440.0, "demo-e5": 659.25}
# The voice a service uses when the call names none: a second service sounds different.
SERVICE_VOICES = {"openai-tts": "demo-e5"}


class TextToSpeech(Driver):
    description = "Text-to-speech."
    v2_only = frozenset({"list"})

    def m_synthesize(self, call: Call) -> Any:
        text = call.args.get("text")
        if not isinstance(text, str) or not text:
            raise bad_request("Missing `text`")
        voice = call.args.get("voice") or SERVICE_VOICES.get(call.requested_driver or "", "demo-a4")
        frequency = VOICE_FREQUENCIES.get(str(voice), 440.0)
        return BinaryReply(wav_tone(0.5, frequency, words=str(text)[:200]), "audio/wav")

    def m_list_voices(self, call: Call) -> Any:
        return [dict(v, provider="demo") for v in VOICES]

    def m_list_engines(self, call: Call) -> Any:
        return [{"id": "standard", "name": "Standard", "provider": "demo"}]

    def m_list(self, call: Call) -> Any:
        return ["demo"]


IMAGE_MODELS = [{"id": "demo-gradient", "aliases": [], "provider": "demo", "costs_currency": "usd-cents", "costs": {}}]


class ImageGeneration(Driver):
    description = "AI Image Generation."
    v2_only = frozenset({"list", "models"})

    def m_generate(self, call: Call) -> Any:
        prompt = call.args.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            raise bad_request("Missing `prompt`")
        width = _clamp(call.args.get("width"), 64)
        height = _clamp(call.args.get("height"), 64)
        png = png_gradient(width, height, seed=zlib.crc32(prompt.encode()) & 0xFFFFFF)
        if call.generation == "v1":  # v1 coerces the image URL into the response body
            return BinaryReply(png, "image/png")
        return "data:image/png;base64," + base64.b64encode(png).decode()

    def m_models(self, call: Call) -> Any:
        return [dict(m) for m in IMAGE_MODELS]

    def m_list(self, call: Call) -> Any:
        return [m["id"] for m in IMAGE_MODELS]


def _clamp(value: Any, default: int) -> int:
    return max(1, min(512, int(value))) if _is_number(value) else default


OCR_SAMPLE = {
    "blocks": [
        {
            "type": "text/puter:sample-output",
            "confidence": 1,
            "text": "test_mode is enabled; this is a sample OCR response.",
        }
    ]
}


class OCR(Driver):
    description = "Optical character recognition."

    def m_recognize(self, call: Call) -> Any:
        if call.test_mode:
            return json.loads(json.dumps(OCR_SAMPLE))
        if call.generation == "v1":
            raise no_implementation(call.interface)
        raise DriverFailure("internal_error", "No OCR provider configured", 500)


class HelloWorld(Driver):
    description = "A simple hello world service."

    def m_greet(self, call: Call) -> Any:
        return f"Hello, {call.args.get('subject') or 'World'}!"


# -- entities: apps and notifications ---------------------------------------------------------


def _now_text() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


class Apps(Driver):
    description = "Manage a developer's apps on Puter."
    v2_only = frozenset()

    def __init__(self) -> None:
        self.apps: dict[str, dict[str, Any]] = {}

    def _find(self, call: Call, uid: Any = None, ident: Any = None) -> dict[str, Any] | None:
        if isinstance(ident, dict):
            if isinstance(ident.get("name"), str):
                return next((a for a in self.apps.values() if a["name"] == ident["name"]), None)
            if call.generation == "v2" and isinstance(ident.get("uid"), str):  # v1 does not look at id.uid
                uid = ident["uid"]
            elif uid is None:
                return None
        return self.apps.get(uid) if isinstance(uid, str) else None

    def _not_found(self, call: Call, identifier: Any) -> DriverFailure:
        if call.generation == "v1":
            text = "undefined" if identifier is None else str(identifier)
            return DriverFailure("entity_not_found", f"Entity not found: `{text}`", 422, {"identifier": text})
        return DriverFailure("not_found", "App not found", 404)

    def _view(self, call: Call, app: dict[str, Any]) -> dict[str, Any]:
        if call.generation == "v2":
            return {k: v for k, v in app.items() if k != "subdomain"}
        view = dict(app, icon=app["icon"] or "", metadata=app["metadata"] or {})
        view["stats"] = {"open_count": None, "user_count": None}
        view["created_from_origin"] = ""
        view["app_owner"] = None
        for key in ("feedback_enabled", "is_private"):
            view.pop(key, None)
        return view

    def m_create(self, call: Call) -> Any:
        obj = call.args.get("object")
        if not isinstance(obj, dict):
            raise bad_request("Missing `object`")
        name = obj.get("name")
        if not isinstance(name, str) or not name:
            raise bad_request("Missing `object.name`")
        if any(a["name"] == name for a in self.apps.values()):
            if call.generation == "v1":
                raise DriverFailure("app_name_already_in_use", f"App name `{name}` is already in use.", 409, {"name": name})
            raise DriverFailure("app_name_already_in_use", "An app with this name already exists", 400)
        uid = f"app-{uuid.uuid4()}"
        index_url = str(obj.get("index_url") or "")
        parts = urlsplit(index_url)
        app = {
            "uid": uid,
            "name": name,
            "title": str(obj.get("title") or name),
            "description": str(obj.get("description") or ""),
            "icon": obj.get("icon"),
            "index_url": index_url,
            "background": bool(obj.get("background", False)),
            "maximize_on_start": bool(obj.get("maximize_on_start", False)),
            "feedback_enabled": False,
            "godmode": False,
            "is_private": False,
            "protected": False,
            "approved_for_listing": False,
            "approved_for_opening_items": False,
            "approved_for_incentive_program": False,
            "metadata": obj.get("metadata"),
            "filetype_associations": list(obj.get("filetype_associations") or []),
            "created_at": _now_text(),
            "created_from_origin": f"{parts.scheme}://{parts.netloc}" if parts.netloc else None,
            "stats": None,
            "subdomain": f"app-{uuid.uuid4()}",
            "owner": dict(DEMO_USER),
        }
        self.apps[uid] = app
        if call.generation == "v1":  # v1 answers with what was written, not the whole entity
            written = {k: app[k] for k in ("uid", "name", "title") if k in app}
            if "description" in obj:
                written["description"] = app["description"]
            return dict(written, subdomain=app["subdomain"], index_url=index_url, owner=app["owner"])
        return self._view(call, app)

    def m_read(self, call: Call) -> Any:
        app = self._find(call, call.args.get("uid"), call.args.get("id"))
        if app is None:
            raise self._not_found(call, call.args.get("uid"))
        return self._view(call, app)

    def m_select(self, call: Call) -> Any:
        apps = list(self.apps.values())
        offset = call.args.get("offset") if isinstance(call.args.get("offset"), int) else 0
        limit = call.args.get("limit") if isinstance(call.args.get("limit"), int) else None
        apps = apps[offset : offset + limit if limit is not None else None]
        return [self._view(call, a) for a in apps]

    def _target(self, call: Call) -> dict[str, Any]:
        obj = call.args.get("object")
        if not isinstance(obj, dict):
            raise bad_request("Missing `object`")
        app = self._find(call, call.args.get("uid") or obj.get("uid"), call.args.get("id"))
        if app is None:
            raise self._not_found(call, None if call.generation == "v1" else call.args.get("uid"))
        return app

    def _apply(self, call: Call, app: dict[str, Any]) -> dict[str, Any]:
        for key, value in call.args["object"].items():
            if key in app and key not in ("uid", "owner", "created_at"):
                app[key] = value
        return self._view(call, app)

    def m_update(self, call: Call) -> Any:
        return self._apply(call, self._target(call))

    def m_upsert(self, call: Call) -> Any:
        try:
            app = self._target(call)
        except DriverFailure:
            return self.m_create(call)
        return self._apply(call, app)

    def m_delete(self, call: Call) -> Any:
        app = self._find(call, call.args.get("uid"), call.args.get("id"))
        if app is None:
            raise self._not_found(call, call.args.get("uid"))
        del self.apps[app["uid"]]
        return NO_RESULT if call.generation == "v1" else {"success": True, "uid": app["uid"]}


class Notifications(Driver):
    description = "Read and mark notifications."
    v1_only = frozenset({"update", "upsert", "delete"})  # v1 serves the generic crud-q methods
    v2_only = frozenset({"mark_shown", "mark_acknowledged"})

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def _get(self, call: Call) -> dict[str, Any]:
        uid = call.args.get("uid") or call.args.get("id")
        found = self.items.get(uid) if isinstance(uid, str) else None
        if found is None:
            if call.generation == "v1":
                text = "undefined" if uid is None else str(uid)
                raise DriverFailure("entity_not_found", f"Entity not found: `{text}`", 422, {"identifier": text})
            raise DriverFailure("not_found", "Notification not found", 404)
        return found

    def m_create(self, call: Call) -> Any:
        obj = call.args.get("object")
        if not isinstance(obj, dict):
            raise bad_request("Missing `object`")
        uid = str(uuid.uuid4())
        item = {"uid": uid, "value": obj.get("value"), "shown": None, "acknowledged": None, "created_at": _now_text()}
        self.items[uid] = item
        return dict(item)

    def m_read(self, call: Call) -> Any:
        return dict(self._get(call))

    def m_select(self, call: Call) -> Any:
        items = [dict(i) for i in self.items.values()]
        limit = call.args.get("limit")
        return items[:limit] if isinstance(limit, int) and limit >= 0 else items

    def m_mark_shown(self, call: Call) -> Any:
        self._get(call)["shown"] = int(time.time())
        return {"success": True}

    def m_mark_acknowledged(self, call: Call) -> Any:
        self._get(call)["acknowledged"] = int(time.time())
        return {"success": True}

    def m_update(self, call: Call) -> Any:
        item = self._get(call)
        obj = call.args.get("object")
        if isinstance(obj, dict) and "value" in obj:
            item["value"] = obj["value"]
        return dict(item)

    def m_upsert(self, call: Call) -> Any:
        try:
            return self.m_update(call)
        except DriverFailure:
            return self.m_create(call)

    def m_delete(self, call: Call) -> Any:
        del self.items[self._get(call)["uid"]]
        return NO_RESULT


def no_implementation(interface: str) -> DriverFailure:
    return DriverFailure(
        "no_implementation_available", f"No implementation available for interface `{interface}`.", 502,
        {"iface": interface},
    )


# -- what each generation serves --------------------------------------------------------------


@dataclass
class Binding:
    """One interface as served: the driver, its canonical name, the names that reach it.

    `aliases` answer as the canonical service; `services` are further implementors under their own name
    (v1 lists them in /lsmod and names them in answers). The driver tells them apart by `requested_driver`.
    """

    interface: str
    driver: Driver
    canonical: str
    aliases: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    default: str | None = None  # the name used when a call names no driver
    version: str | None = None  # v1 `service.version`, for drivers with the version trait

    @property
    def names(self) -> tuple[str, ...]:
        return (self.canonical, *self.aliases, *self.services)

    def answering_name(self, requested: str | None) -> str:
        return requested if requested in self.services else self.canonical


def build_bindings(generation: str) -> dict[str, Binding]:
    """Fresh drivers (with empty state) bound under the names the generation uses."""
    kv, chat, tts, image, ocr = KVStore(), Chat(), TextToSpeech(), ImageGeneration(), OCR()
    apps, notes = Apps(), Notifications()
    if generation == "v1":
        bindings = [
            Binding("puter-kvstore", kv, "puter-kvstore", default="puter-kvstore"),
            # v1 defaults of the AI interfaces name providers that are not installed.
            Binding(
                "puter-chat-completion", chat, "ai-chat", ("fake-chat",), (SECOND_CHAT,), default="openai-completion"
            ),
            Binding("puter-tts", tts, "aws-polly", services=("openai-tts",), default="aws-polly"),
            Binding("puter-image-generation", image, "ai-image", default="openai-image-generation"),
            Binding("puter-ocr", ocr, "aws-textract", default="aws-textract"),
            Binding("puter-apps", apps, "es:app", default="es:app"),
            Binding("puter-notifications", notes, "es:notification", default="es:notification"),
            Binding("hello-world", HelloWorld(), "hello-world", default="hello-world", version="v1.0.0"),
        ]
    else:
        bindings = [
            Binding("puter-kvstore", kv, "puter-kvstore"),
            Binding("puter-chat-completion", chat, "ai-chat", (SECOND_CHAT,)),
            Binding(
                "puter-tts", tts, "ai-tts",
                ("aws-polly", "openai-tts", "elevenlabs-tts", "gemini-tts", "xai-tts", "speechify-tts"),
            ),
            Binding(
                "puter-image-generation", image, "ai-image",
                tuple(f"{p}-image-generation" for p in ("openai", "gemini", "together", "cloudflare", "xai", "replicate", "byteplus")),
            ),
            Binding("puter-ocr", ocr, "ai-ocr", ("aws-textract", "mistral")),
            Binding("puter-apps", apps, "es:app"),
            Binding("puter-notifications", notes, "es:notification"),
        ]
        for binding in bindings:
            binding.default = binding.canonical
    return {b.interface: b for b in bindings}
