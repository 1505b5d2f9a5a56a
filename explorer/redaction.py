"""Tokens blanked out of text that is shown or kept: one rule for the client, the command line and reports."""

from __future__ import annotations

from typing import Iterable, TypeGuard

MIN_SECRET_LENGTH = 8  # shorter strings would blank out ordinary words ("t" in "timeout"); real tokens are longer
REDACTED = "<redacted>"


def is_secret(token: str | None) -> TypeGuard[str]:
    return token is not None and len(token) >= MIN_SECRET_LENGTH


def secrets_of(tokens: Iterable[str | None]) -> list[str]:
    """The tokens worth blanking out, longest first (so that one inside another is not left half shown)."""
    return sorted({t for t in tokens if is_secret(t)}, key=len, reverse=True)


def redacted(text: str, secrets: Iterable[str]) -> str:
    """`text` with each of `secrets` (from `secrets_of`) replaced by `<redacted>`."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text
