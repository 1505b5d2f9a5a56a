"""The models a server lists: which interfaces list them, by which methods, and how names are read from
an answer. Data only (no HTTP, no UI): `Session.models` asks the server, the TUI offers the names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Interfaces whose servers list their models, and the methods that do it (full objects first, then ids).
MODEL_LISTS: dict[str, tuple[str, ...]] = {
    "puter-chat-completion": ("models", "list"),  # both generations
    "puter-image-generation": ("models", "list"),  # v2 only: v1 has just `generate`
    "puter-video-generation": ("models", "list"),  # v2 only
}
MAX_MODELS = 5000  # names kept from one answer
MAX_MODEL_NAME = 200


@dataclass(frozen=True)
class ModelChoice:
    name: str
    detail: str = ""  # provider or what it is
    source: str = "server"  # "server" or "catalogue"


@dataclass
class ModelList:
    """What asking a server for its models gave: the names, or why there are none."""

    choices: list[ModelChoice] = field(default_factory=list)
    problem: str | None = None  # one line for a person when `choices` is empty
    asked: int = 0  # calls made to the server to read it


def models_from_answer(value: Any) -> list[ModelChoice]:
    """Model names from a `models` (objects with `id`) or `list` (ids) answer; anything else is skipped."""
    if isinstance(value, dict) and isinstance(value.get("models"), list):
        value = value["models"]
    if not isinstance(value, list):
        return []
    found: dict[str, ModelChoice] = {}
    for item in value[:MAX_MODELS]:
        name, detail = None, ""
        if isinstance(item, str):
            name = item
        elif isinstance(item, dict):
            name = item.get("id") if isinstance(item.get("id"), str) else item.get("name")
            provider = item.get("provider")
            detail = provider if isinstance(provider, str) else ""
        if isinstance(name, str) and 0 < len(name) <= MAX_MODEL_NAME and name not in found:
            found[name] = ModelChoice(name, detail[:MAX_MODEL_NAME])
    return list(found.values())
