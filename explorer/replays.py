"""Where a replay goes: the origin the call was made on, with the token kept for that origin.

A recorded call names its origin and the profile it was made with, never the token. Replaying it
elsewhere is something the user asks for (`--origin`, or a choice in the TUI); otherwise it goes back
where it was made. The token sent is the one the user keeps for that origin (the environment's when
`PUTER_API_ORIGIN` names it, or names nothing and the origin is the default one; else a profile's, the
recorded profile first), never another origin's; a token given on the command line wins.
"""

from __future__ import annotations

import os
from typing import Any

from .config import (DEFAULT_API_ORIGIN, DEFAULT_PROFILE, ENV_ORIGIN, ENV_TOKEN, ConfigError, ProfileStore,
                     resolve_target)
from .protocol.origins import normalise_origin


def same_origin(one: str, other: str) -> bool:
    try:
        return normalise_origin(one) == normalise_origin(other)
    except ValueError:
        return one == other


def token_for(origin: str, recorded_profile: str | None, store: ProfileStore | None = None) -> tuple[str | None, str]:
    """(token or None, profile name) for calls to `origin`; None when the user keeps no token for it."""
    try:
        store = store or ProfileStore()
    except ConfigError:  # a profiles file that cannot be read keeps no token; the user was told why elsewhere
        store = None
    env_token = os.environ.get(ENV_TOKEN)
    if env_token:
        # The environment's token is for the environment's origin; without one, for the server used by default.
        env_origin = os.environ.get(ENV_ORIGIN) or (resolve_target(store=store).origin if store else DEFAULT_API_ORIGIN)
        if same_origin(env_origin, origin):
            return env_token, recorded_profile or DEFAULT_PROFILE
    profiles = store.profiles if store is not None else {}
    matching = [p for p in profiles.values() if same_origin(p.origin, origin)]
    matching.sort(key=lambda p: p.name != recorded_profile)  # the profile the call was made with first
    for profile in matching:
        if profile.token:
            return profile.token, profile.name
    return None, recorded_profile or DEFAULT_PROFILE


def merged_args(recorded: Any, given: Any) -> Any:
    """The args of a replay: given keys over the recorded ones when both are objects, else what was given."""
    if isinstance(recorded, dict) and isinstance(given, dict):
        return {**recorded, **given}
    return given
