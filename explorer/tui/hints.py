"""What the explorer knows about a method beyond its parameters, and what an error means on Puter.

Which methods cost money and where their test mode is honoured, the free model, the known limits of
parameters, and a hint for outcomes a person can act on (401, 402, 403, 429). Which interfaces list their
models is in `explorer.model_lists`. Facts are read from the Puter servers of both generations and captures
of their answers; each one names the generations it holds for ("v1", "v2"). A catalogue generation of None
means "not known yet".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from ..model_lists import MODEL_LISTS, ModelChoice
from ..protocol.outcomes import DriverError, Failure, Result, normalise_code
from . import keymap

BOTH = frozenset({"v1", "v2"})


def _holds(generations: frozenset[str], generation: str | None) -> bool:
    return generation is None or generation in generations


# -- cost and test mode --------------------------------------------------------------------------


@dataclass(frozen=True)
class Cost:
    """A method billed to the account's credit on puter.com."""

    test_mode: frozenset[str]  # generations whose server answers a sample in test mode
    free_args: dict[str, Any] = field(default_factory=dict)  # args that make it free where test mode does not


FREE_CHAT_MODEL = "fake"  # the test model of both generations; v2 chat ignores test_mode

COSTLY: dict[tuple[str, str], Cost] = {
    # v1 reads the top-level flag, but without a model it fails; v2 chat never reads test_mode.
    ("puter-chat-completion", "complete"): Cost(frozenset({"v1"}), {"model": FREE_CHAT_MODEL}),
    ("puter-image-generation", "generate"): Cost(BOTH),
    ("puter-video-generation", "generate"): Cost(BOTH),
    ("puter-tts", "synthesize"): Cost(BOTH),
    ("puter-speech2speech", "convert"): Cost(frozenset({"v2"})),
    ("puter-speech2txt", "transcribe"): Cost(frozenset({"v2"})),
    ("puter-speech2txt", "translate"): Cost(frozenset({"v2"})),
    ("puter-ocr", "recognize"): Cost(BOTH),
}


def cost(interface: str, method: str) -> Cost | None:
    return COSTLY.get((interface, method))


def default_test_mode(interface: str, method: str, generation: str | None) -> bool:
    """Test mode starts on for a costly method whose server honours it."""
    found = cost(interface, method)
    return found is not None and _holds(found.test_mode, generation)


def free_args(interface: str, method: str) -> dict[str, Any]:
    """Args to add to a fresh template so that it costs nothing where test mode does not help."""
    found = cost(interface, method)
    return dict(found.free_args) if found else {}


def cost_note(interface: str, method: str, generation: str | None, test_mode: bool, args: Any) -> str | None:
    """One line on what the call costs as it stands, or None for a free method."""
    found = cost(interface, method)
    if found is None:
        return None
    free = {k: v for k, v in found.free_args.items() if isinstance(args, dict) and args.get(k) == v}
    if found.free_args and free == found.free_args:
        shown = ", ".join(f"{k}: {json.dumps(v)}" for k, v in free.items())
        return f"costs credit on Puter, but {shown} answers for free"
    if _holds(found.test_mode, generation):
        if test_mode:
            return "costs credit on Puter: test mode is on, so the server answers a sample (untick it for a real call)"
        return "costs credit on Puter: test mode is off, this call is billed"
    hint = ", ".join(f"{k}: {json.dumps(v)}" for k, v in found.free_args.items())
    where = f"a {generation} server" if generation else "this server"
    return f"costs credit on Puter and {where} ignores test mode" + (f": {hint} answers for free" if hint else "")


# -- models ----------------------------------------------------------------------------------------

# Models known without asking a server: (name, what it is).
KNOWN_MODELS: dict[str, tuple[tuple[str, str], ...]] = {
    "puter-chat-completion": ((FREE_CHAT_MODEL, "free test model"),),
}


def takes_model(interface: str, has_model_param: bool) -> bool:
    return has_model_param and interface in MODEL_LISTS


def known_models(interface: str) -> list[ModelChoice]:
    return [ModelChoice(name, detail, "catalogue") for name, detail in KNOWN_MODELS.get(interface, ())]


def merge_models(server: list[ModelChoice], interface: str) -> list[ModelChoice]:
    names = {m.name for m in server}
    return server + [m for m in known_models(interface) if m.name not in names]


_MODEL_VALUE = re.compile(r'"model"\s*:\s*"(?:[^"\\]|\\.)*"')


def with_model(text: str, args: Any, model: str) -> str | None:
    """`text` with args.model set to `model`; the layout is kept when the value can be replaced in place.
    None when the args are not a JSON object."""
    if not isinstance(args, dict):
        return None
    literal = json.dumps(model, ensure_ascii=False)
    if isinstance(args.get("model"), str):
        matches = list(_MODEL_VALUE.finditer(text))
        if len(matches) == 1:  # exactly one "model": "..." in the text: it is the top-level one
            start, end = matches[0].span()
            return text[:start] + '"model": ' + literal + text[end:]
    return json.dumps({**args, "model": model}, indent=2, ensure_ascii=False)


# -- known limits ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    param: str | None  # None: the method as a whole
    text: str
    generations: frozenset[str] = BOTH


_DATA_URL = "a data: URL, a web URL or a Puter path; the whole request at most 50 MB"
LIMITS: dict[tuple[str, str], tuple[Limit, ...]] = {
    ("puter-kvstore", "list"): (
        Limit("as", "keys | values | entries"),
        Limit("limit", "a page size: the answer's cursor asks for the next page", frozenset({"v2"})),
        Limit("pattern", "a key, or a prefix ending in *", frozenset({"v2"})),
    ),
    ("puter-chat-completion", "complete"): (
        Limit("stream", "a v1 server never answers a stream: the call times out", frozenset({"v1"})),
        Limit("max_tokens", "capped to what the account's credit affords", frozenset({"v2"})),
    ),
    ("puter-image-generation", "generate"): (
        Limit("model", "required by a v2 server, even in test mode", frozenset({"v2"})),
        Limit("input_image", _DATA_URL),
    ),
    ("puter-tts", "synthesize"): (
        Limit(None, "in test mode a v2 server answers JSON {url, content_type}, not audio", frozenset({"v2"})),
    ),
    ("puter-ocr", "recognize"): (Limit("source", _DATA_URL), Limit("file", _DATA_URL, frozenset({"v2"}))),
    ("puter-speech2txt", "transcribe"): (Limit("file", _DATA_URL),),
    ("puter-speech2txt", "translate"): (Limit("file", _DATA_URL),),
    ("puter-speech2speech", "convert"): (Limit("audio", _DATA_URL),),
    ("puter-apps", "isNameAvailable"): (
        Limit(None, "the server takes the whole args object as the name: it cannot really be called over HTTP"),
    ),
}
KV_VALUE_LIMIT = 408_576  # bytes of JSON a kv value may take (the v2 error names it; v1 refuses about as much)
_KV_VALUES = {"set": ("value",), "batchPut": ("items",), "update": ("pathAndValueMap",)}
AI_IN_FLIGHT = 3  # AI calls a free v2 account may have in flight at once (2 for a temporary user)
AI_INTERFACES = frozenset(i for i, _ in COSTLY)


def limits(interface: str, method: str, generation: str | None) -> list[Limit]:
    return [lim for lim in LIMITS.get((interface, method), ()) if _holds(lim.generations, generation)]


def args_warnings(interface: str, method: str, args: Any) -> list[str]:
    """Known limits the args break (checked as they are typed)."""
    warnings = []
    if interface == "puter-kvstore" and isinstance(args, dict):
        for name in _KV_VALUES.get(method, ()):
            if name in args:
                size = len(json.dumps(args[name], ensure_ascii=False).encode("utf-8"))
                if size > KV_VALUE_LIMIT:
                    warnings.append(
                        f"`{name}` is {size:,} bytes of JSON: the server refuses more than {KV_VALUE_LIMIT:,}"
                    )
    return warnings


# -- outcomes worth a hint -------------------------------------------------------------------------

AUTH_HINTS = {
    "token_missing": "401: the server got no token. Connect again: log in, or give a token "
    "(the API token of the puter.com dashboard)",
    "token_auth_failed": "401: the token was refused: it has expired, was revoked, or belongs to another "
    "server. Log in again, or give a fresh token from the puter.com dashboard",
    "reauth_required": "401: this session must log in again",
    "unauthorized": "401: no user behind this call: use a user's token",
}
FUNDS_HINTS = {
    "insufficient_funds": "402: the account has no credit left for this on puter.com: add credit or a "
    "subscription there, or try the call for free (test mode, or model \"fake\" for chat)",
    "subscription_required": "402: this driver needs a paid subscription on puter.com",
}
FORBIDDEN_HINTS = {
    "email_confirmation_required": "403: confirm the account's email address on Puter first",
    "phone_verification_required": "403: verify the account's phone number on Puter first",
    "card_verification_required": "403: add and verify a card on Puter first",
    "app_blocked": "403: this app is blocked for the account",
    "app_or_api_token_required": "403: this driver refuses session tokens: use an API token",
    "permission_denied": "403: the account lacks a permission for this (e.g. a subscriber-only model)",
}
FORBIDDEN_DEFAULT = (
    "403: this token may not use the driver. puter.com refuses scoped access tokens on /drivers/call: use the "
    "dashboard's API token or a login session; a new v1 user may only use kv, hello-world and the es: drivers"
)


@dataclass
class _Problem:
    status: int | None
    code: str | None
    message: str
    headers: list[tuple[str, str]]
    extra: dict[str, Any]


def _problem(call: Any) -> _Problem | None:
    outcome = getattr(call, "outcome", None)
    if isinstance(outcome, DriverError):
        status = outcome.nominal_status or outcome.status
        return _Problem(status, outcome.normalised_code, outcome.message, outcome.exchange.response_headers,
                        outcome.extra)
    if isinstance(outcome, Failure):
        return _Problem(outcome.exchange.status, None, outcome.message, outcome.exchange.response_headers, {})
    entry = getattr(call, "entry", None)
    if outcome is None and entry is not None and entry.kind in ("driver_error", "failure"):
        return _Problem(entry.status, normalise_code(entry.error_code), entry.error_message or "",
                        list(entry.response_headers or []), {})
    return None


def retry_after(headers: list[tuple[str, str]], now: datetime | None = None) -> float | None:
    """Seconds the server asks to wait (Retry-After as seconds or as an HTTP date)."""
    value = next((v for k, v in headers if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def outcome_hint(call: Any) -> str | None:
    """What an outcome means on Puter and what to do, for 401, 402, 403, 429 (and a 503 that asks to wait)."""
    outcome = getattr(call, "outcome", None)
    if isinstance(outcome, Result) and outcome.metadata.get("usage_limited") is True:
        return ("answered by the usage-limited model: the account is out of credit on puter.com "
                "(a v1 server says so only in metadata.usage_limited)")
    problem = _problem(call)
    if problem is None:
        return None
    code, status = problem.code, problem.status
    if code in AUTH_HINTS:
        return AUTH_HINTS[code]
    if code in FUNDS_HINTS:
        return FUNDS_HINTS[code]
    if code in FORBIDDEN_HINTS:
        return FORBIDDEN_HINTS[code]
    wait = retry_after(problem.headers)
    retryable = isinstance(outcome, DriverError) and outcome.retryable
    if retryable or code in ("too_many_requests", "upstream_rate_limited") or status == 429:
        return _rate_hint(problem, wait)
    if status == 401:
        return AUTH_HINTS["token_auth_failed"]
    if status == 402:
        return FUNDS_HINTS["insufficient_funds"]
    if status == 403 and (code is not None or isinstance(outcome, DriverError)):  # not v1's bare "Forbidden" page
        return FORBIDDEN_DEFAULT
    if status == 503 and wait is not None:
        wait_text = f"503: the server is busy and asks to wait {wait:g} s; then a retry makes sense"
        return f"{wait_text}. {_replay_key()} replays it"
    return None


def _rate_hint(problem: _Problem, wait: float | None) -> str:
    if "concurrent" in problem.message.lower():
        why = "too many calls of this kind in flight at once: a retry makes sense once some have finished"
    elif problem.code == "upstream_rate_limited":
        why = "the AI provider behind the driver is rate limited: a retry makes sense after a pause"
    else:
        why = "too many requests: a retry makes sense after a pause"
    text = f"429: {why}"
    limit = problem.extra.get("rate_limit")
    if isinstance(limit, dict) and isinstance(limit.get("max"), int) and isinstance(limit.get("period"), (int, float)):
        calls = "call" if limit["max"] == 1 else "calls"
        text += f"; the limit is {limit['max']} {calls} per {limit['period'] / 1000:g} s"
    if wait is not None:
        text += f"; the server asks to wait {wait:g} s"
    else:
        text += "; no Retry-After was sent: wait a second or two (the Puter SDK backs off from 0.25 to 2 s)"
    return text + f". {_replay_key()} replays it"


def _replay_key() -> str:
    return keymap.DEFAULT_BINDINGS["replay"][0].split(",")[0]
