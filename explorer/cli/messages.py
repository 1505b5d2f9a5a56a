"""Messages for the person at the terminal (stderr): every token this process knows of is redacted first,
and server text in a message cannot drive the terminal."""

from __future__ import annotations

import logging
import os
import sys

from ..redaction import is_secret, redacted, secrets_of

log = logging.getLogger(__name__)

_secrets: set[str] = set()
_profile_tokens_read = False


def remember_secret(token: str | None) -> None:
    if is_secret(token):
        _secrets.add(token)


def redact(text: str) -> str:
    """`text` with every known token (flags, environment, saved profiles) replaced by `<redacted>`."""
    remember_secret(os.environ.get("PUTER_AUTH_TOKEN"))
    _remember_profile_tokens()
    return redacted(text, secrets_of(_secrets))


def _remember_profile_tokens() -> None:
    global _profile_tokens_read
    if _profile_tokens_read:
        return
    _profile_tokens_read = True
    from ..config import ConfigError, ProfileStore

    try:
        profiles = ProfileStore().profiles.values()
    except (ConfigError, OSError) as exc:  # a profiles file we cannot read has no token we could show either
        log.debug("profiles not read for redaction: %s", exc)
        return
    for profile in profiles:
        remember_secret(profile.token)


def say(message: str) -> None:
    """One message on stderr, tokens redacted, control characters made visible."""
    from ..terminal_text import clean

    print(clean(redact(message)), file=sys.stderr, flush=True)
