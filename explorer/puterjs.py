"""A driver call as the puter.js code people write: `puter.kv.set(key, value)`, `puter.ai.chat(messages, ...)`.

Each mapping follows puter.js's documented names and argument order (docs.puter.com): kv, chat, text to
speech, image generation, OCR and apps. A call with no such counterpart (another interface or method,
args the function cannot express) is written as `puter.drivers.call(interface, service, method, args)`.
puter.js authenticates through the browser session: no token is ever written.
"""

from __future__ import annotations

import json
from typing import Any, Callable

# Our service names as the `provider` option puter.js takes (where the documentation names one).
PROVIDERS = {
    "aws-polly": "aws-polly", "openai-tts": "openai", "elevenlabs-tts": "elevenlabs",
    "openai-image-generation": "openai-image-generation", "gemini-image-generation": "gemini",
    "together-image-generation": "together", "xai-image-generation": "xai",
    "aws-textract": "aws-textract", "mistral": "mistral",
}
# puter.apps option names for the app record's columns.
APP_ATTRIBUTES = {"index_url": "indexURL", "maximize_on_start": "maximizeOnStart",
                  "filetype_associations": "filetypeAssociations"}


def js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def drivers_call(body: dict[str, Any]) -> str:
    """The generic form, always valid: `puter.drivers.call(interface, service, method, args)`."""
    args = body.get("args")
    if isinstance(args, dict) and not body.get("test_mode"):
        args = {k: v for k, v in args.items() if k != "test_mode"}
    service = body.get("driver") or body.get("service")
    return (f"const result = await puter.drivers.call({js(body.get('interface'))}, "
            f"{js(service) if service else 'undefined'}, {js(body.get('method'))}, {js(args)});\n"
            "console.log(result);")


def idiomatic(body: dict[str, Any]) -> str:
    """The puter.js a developer writes for this call, or the generic form when there is none."""
    args = body.get("args") if isinstance(body.get("args"), dict) else None
    write = _WRITERS.get((body.get("interface"), body.get("method")))
    expression = write(dict(args), body) if write is not None and args is not None else None
    if expression is None:
        return drivers_call(body)
    if args is not None and args.get("stream") is True and body.get("interface") == "puter-chat-completion":
        return (f"const response = await {expression};\n"
                "for await (const part of response) console.log(part?.text ?? part);")
    return f"const result = await {expression};\nconsole.log(result);"


def _call(function: str, *arguments: Any) -> str:
    return f"{function}({', '.join(js(a) for a in arguments)})"


def _only(args: dict[str, Any], *names: str) -> bool:
    return set(args) <= set(names)


def _kv(name: str, *required: str, optional: tuple[str, ...] = ()) -> Callable[[dict[str, Any], dict[str, Any]], str | None]:
    def write(args: dict[str, Any], body: dict[str, Any]) -> str | None:
        if not all(r in args for r in required) or not _only(args, *required, *optional):
            return None
        values = [args[r] for r in required] + [args[o] for o in optional if o in args]
        return _call(f"puter.kv.{name}", *values)

    return write


def _kv_list(args: dict[str, Any], body: dict[str, Any]) -> str:
    if not args:
        return "puter.kv.list()"
    if _only(args, "pattern"):
        return _call("puter.kv.list", args["pattern"])
    return _call("puter.kv.list", args)


def _kv_count(name: str) -> Callable[[dict[str, Any], dict[str, Any]], str | None]:
    def write(args: dict[str, Any], body: dict[str, Any]) -> str | None:
        if "key" not in args or not _only(args, "key", "pathAndAmountMap"):
            return None
        amounts = args.get("pathAndAmountMap")
        if amounts is None:
            return _call(f"puter.kv.{name}", args["key"])
        return _call(f"puter.kv.{name}", args["key"], amounts)

    return write


def _kv_remove(args: dict[str, Any], body: dict[str, Any]) -> str | None:
    if not _only(args, "key", "paths") or not isinstance(args.get("paths"), list):
        return None
    return _call("puter.kv.remove", args["key"], *args["paths"])


def _options(args: dict[str, Any], body: dict[str, Any], *taken: str) -> dict[str, Any]:
    """What is left of the args for the options object, with the service as puter.js's `provider`."""
    options = {k: v for k, v in args.items() if k not in (*taken, "test_mode")}
    service = body.get("driver") or body.get("service")
    if service in PROVIDERS and "provider" not in options:
        options["provider"] = PROVIDERS[service]
    return options


def _chat(args: dict[str, Any], body: dict[str, Any]) -> str | None:
    messages = args.get("messages")
    if not isinstance(messages, list) or not messages:
        return None
    options = _options(args, body, "messages")
    test_mode = bool(body.get("test_mode") or args.get("test_mode"))
    only = messages[0] if len(messages) == 1 and isinstance(messages[0], dict) else None
    first = only["content"] if only and only.get("role") == "user" and isinstance(only.get("content"), str) else messages
    if isinstance(first, str) and not test_mode:  # puter.ai.chat(prompt, options)
        return _call("puter.ai.chat", first, options) if options else _call("puter.ai.chat", first)
    return _call("puter.ai.chat", first, test_mode, options) if options else _call("puter.ai.chat", first, test_mode)


def _with_test_mode(function: str, first: str) -> Callable[[dict[str, Any], dict[str, Any]], str | None]:
    """puter.ai.txt2speech / txt2img / img2txt: (first, testMode) bare, or (first, options)."""

    def write(args: dict[str, Any], body: dict[str, Any]) -> str | None:
        if not isinstance(args.get(first), str):
            return None
        options = _options(args, body, first)
        test_mode = bool(body.get("test_mode") or args.get("test_mode"))
        if not options:
            return _call(function, args[first], True) if test_mode else _call(function, args[first])
        if test_mode:
            options["test_mode"] = True
        return _call(function, args[first], options)

    return write


def _app_attributes(record: dict[str, Any]) -> dict[str, Any]:
    return {APP_ATTRIBUTES.get(k, k): v for k, v in record.items()}


def _app_create(args: dict[str, Any], body: dict[str, Any]) -> str | None:
    record = args.get("object")
    if not _only(args, "object") or not isinstance(record, dict) or "name" not in record:
        return None
    if set(record) <= {"name", "index_url", "title"} and "index_url" in record:
        values = [record["name"], record["index_url"]] + ([record["title"]] if "title" in record else [])
        return _call("puter.apps.create", *values)
    return _call("puter.apps.create", _app_attributes(record))


def _app_name(args: dict[str, Any], *others: str) -> str | None:
    """puter.apps addresses an app by name: `id: {name: ...}` in the driver's args."""
    ident = args.get("id")
    if not _only(args, "id", *others) or not isinstance(ident, dict) or set(ident) != {"name"}:
        return None
    return ident["name"]


def _app_read(args: dict[str, Any], body: dict[str, Any]) -> str | None:
    name = _app_name(args)
    return _call("puter.apps.get", name) if name is not None else None


def _app_update(args: dict[str, Any], body: dict[str, Any]) -> str | None:
    name = _app_name(args, "object")
    if name is None or not isinstance(args.get("object"), dict):
        return None
    return _call("puter.apps.update", name, _app_attributes(args["object"]))


def _app_delete(args: dict[str, Any], body: dict[str, Any]) -> str | None:
    name = _app_name(args)
    return _call("puter.apps.delete", name) if name is not None else None


def _app_select(args: dict[str, Any], body: dict[str, Any]) -> str | None:
    return "puter.apps.list()" if not args else None


_WRITERS: dict[tuple[Any, Any], Callable[[dict[str, Any], dict[str, Any]], str | None]] = {
    ("puter-kvstore", "set"): _kv("set", "key", "value", optional=("expireAt",)),
    ("puter-kvstore", "get"): _kv("get", "key"),
    ("puter-kvstore", "del"): _kv("del", "key"),
    ("puter-kvstore", "list"): _kv_list,
    ("puter-kvstore", "incr"): _kv_count("incr"),
    ("puter-kvstore", "decr"): _kv_count("decr"),
    ("puter-kvstore", "flush"): _kv("flush"),
    ("puter-kvstore", "expire"): _kv("expire", "key", "ttl"),
    ("puter-kvstore", "expireAt"): _kv("expireAt", "key", "timestamp"),
    ("puter-kvstore", "update"): _kv("update", "key", "pathAndValueMap", optional=("ttl",)),
    ("puter-kvstore", "add"): _kv("add", "key", "pathAndValueMap"),
    ("puter-kvstore", "remove"): _kv_remove,
    ("puter-chat-completion", "complete"): _chat,
    ("puter-tts", "synthesize"): _with_test_mode("puter.ai.txt2speech", "text"),
    ("puter-image-generation", "generate"): _with_test_mode("puter.ai.txt2img", "prompt"),
    ("puter-ocr", "recognize"): _with_test_mode("puter.ai.img2txt", "source"),
    ("puter-apps", "create"): _app_create,
    ("puter-apps", "read"): _app_read,
    ("puter-apps", "update"): _app_update,
    ("puter-apps", "delete"): _app_delete,
    ("puter-apps", "select"): _app_select,
}
