"""Which server to use, and with which token: the choices of the connect screen and of `login`, and how a
choice becomes a saved profile or a session. Shared by the CLI and the TUI; no Textual here.

A token or a login is checked against the server (GET /whoami on the API origin) before it is saved as a
profile (the profiles file is written 0600) and made current, so the next start connects without asking.
A refusal saves nothing. Profiles, HTTP and the session are imported when first used: the first frame
draws without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from .config import Profile, ProfileStore
    from .session import Session

DEFAULT_GUI_ORIGIN = "http://puter.localhost:4100"


@dataclass(frozen=True)
class DemoChoice:
    """Start the built-in demo server and use it."""

    generation: str = "v2"


@dataclass(frozen=True)
class TokenChoice:
    """An API origin and a token the user already has."""

    origin: str
    token: str = field(repr=False)
    profile: str = ""  # empty: named after the origin's host


@dataclass(frozen=True)
class LoginChoice:
    """A self-hosted Puter: log in on its GUI origin with a username and password."""

    gui_origin: str
    username: str
    password: str = field(repr=False)
    profile: str = ""  # empty: named after the GUI host
    api_origin: str = ""  # empty: derived from the GUI origin


Choice = Union[DemoChoice, TokenChoice, LoginChoice]


def needs_connect(*, demo: bool = False, origin: str | None = None, token: str | None = None,
                  profile: str | None = None, store: ProfileStore | None = None) -> bool:
    """True when nothing says which server to use with which token: flags, environment and profile are empty.

    An unreadable profiles file is not decided here: opening the session reports it.
    """
    if demo:
        return False
    from .config import ConfigError, resolve_target

    try:
        return not resolve_target(origin=origin, token=token, profile=profile, store=store).token
    except ConfigError:
        return False


def _host(origin: str) -> str:
    return origin.split("://", 1)[1]


async def save_choice(choice: TokenChoice | LoginChoice, store: ProfileStore | None = None) -> Profile:
    """Log in if needed, check the token on the API origin, then save the choice as the current profile.

    Raises ValueError (bad origin, empty field), LoginError (refused, or no answer) or ConfigError;
    nothing is saved then. The profile's `username` is the one the server confirmed for a token.
    """
    from .config import Profile, ProfileStore
    from .protocol.login import login, whoami
    from .protocol.origins import derive_api_origin, normalise_origin

    if isinstance(choice, TokenChoice):
        origin = normalise_origin(choice.origin)
        token = choice.token.strip()
        if not token:
            raise ValueError("a token is needed")
        account = await whoami(origin, token)
        username = account.get("username") if isinstance(account.get("username"), str) else None
        profile = Profile(name=choice.profile.strip() or _host(origin), origin=origin, token=token,
                          username=username)
    else:
        gui_origin = normalise_origin(choice.gui_origin)
        api_origin = normalise_origin(choice.api_origin) if choice.api_origin.strip() else derive_api_origin(gui_origin)
        username = choice.username.strip()
        if not username or not choice.password:
            raise ValueError("a username and a password are needed")
        result = await login(gui_origin, username, choice.password)
        await whoami(api_origin, result.token)  # the API origin must take the token the GUI origin gave
        profile = Profile(name=choice.profile.strip() or _host(gui_origin), origin=api_origin, token=result.token,
                          gui_origin=gui_origin, username=username)
    store = store if store is not None else ProfileStore()
    store.put(profile, make_current=True)
    return profile


async def open_chosen_session(choice: Choice, **options: Any) -> Session:
    """A session for what the user chose on the connect screen (`options` go to `open_session`)."""
    from .session import open_session

    if isinstance(choice, DemoChoice):
        return await open_session(demo=True, demo_generation=choice.generation, **options)
    profile = await save_choice(choice)
    return await open_session(origin=profile.origin, token=profile.token, profile=profile.name, **options)
