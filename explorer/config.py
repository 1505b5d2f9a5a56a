"""Profiles: named servers (API origin + token), one of them current.

Tokens live only in `profiles.json` in the config folder, a file created 0600, or come from the
environment (`PUTER_AUTH_TOKEN`). They are never printed: `masked()` is what a listing shows.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from . import paths
from .protocol.origins import DEFAULT_API_ORIGIN, normalise_origin

ENV_ORIGIN = "PUTER_API_ORIGIN"
ENV_TOKEN = "PUTER_AUTH_TOKEN"
DEFAULT_PROFILE = "default"


class ConfigError(Exception):
    pass


class ProfilesUnreadable(ConfigError):
    """The profiles file is there but cannot be read (the message names it, and for bad JSON its line)."""


@dataclass
class Profile:
    name: str
    origin: str = DEFAULT_API_ORIGIN
    token: str | None = None
    gui_origin: str | None = None
    username: str | None = None  # remembered after a login, for the connect screen


def masked(token: str | None) -> str:
    if not token:
        return "(no token)"
    return "••••" + token[-4:] if len(token) >= 12 else "••••"


class ProfileStore:
    def __init__(self, path: Path | None = None, *, unreadable: str = "raise") -> None:
        """`unreadable="empty"`: a file that cannot be read is taken as no profiles (said in `problem`), for a
        program that has told its user so and goes on without it; the store then never saves over it."""
        self.path = path or paths.profiles_path()
        self.current: str | None = None
        self.profiles: dict[str, Profile] = {}
        self.problem: str | None = None  # why the file was not read (with `unreadable="empty"` only)
        try:
            self._load()
        except ProfilesUnreadable as error:
            if unreadable != "empty":
                raise
            self.problem, self.current, self.profiles = str(error), None, {}

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except OSError as exc:  # a folder by that name, a file another program holds locked (Windows)
            raise ProfilesUnreadable(f"{self.path} cannot be read ({exc.strerror or exc}); fix or remove it") from None
        except json.JSONDecodeError as exc:
            raise ProfilesUnreadable(f"{self.path} is not a profiles file this program can read: invalid JSON at "
                                     f"line {exc.lineno}, column {exc.colno} ({exc.msg}); fix or remove it") from None
        except ValueError as exc:  # not UTF-8 text
            raise ProfilesUnreadable(f"{self.path} is not a profiles file this program can read ({exc}); "
                                     "fix or remove it") from None
        try:
            self.current = data.get("current")
            for name, fields in (data.get("profiles") or {}).items():
                self.profiles[name] = Profile(name=name, **{k: v for k, v in fields.items() if k != "name"})
        except (ValueError, TypeError, AttributeError) as exc:
            raise ProfilesUnreadable(f"{self.path} is not a profiles file this program can read ({exc}); "
                                     "fix or remove it") from None

    def save(self) -> None:
        if self.problem is not None:
            raise ProfilesUnreadable(self.problem)
        paths.private_dir(self.path.parent)
        data = {"current": self.current, "profiles": {n: asdict(p) for n, p in self.profiles.items()}}
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)

    def put(self, profile: Profile, make_current: bool = True) -> None:
        profile.origin = normalise_origin(profile.origin)
        self.profiles[profile.name] = profile
        if make_current or self.current is None:
            self.current = profile.name
        self.save()

    def use(self, name: str) -> None:
        if name not in self.profiles:
            raise ConfigError(f"no profile named {name!r}")
        self.current = name
        self.save()

    def remove(self, name: str) -> None:
        if self.profiles.pop(name, None) is None:
            raise ConfigError(f"no profile named {name!r}")
        if self.current == name:
            self.current = next(iter(self.profiles), None)
        self.save()

    def get(self, name: str | None = None) -> Profile | None:
        return self.profiles.get(name or self.current or "")


@dataclass
class Target:
    """Which server to talk to, and as whom, after flags, environment and profiles are weighed."""

    origin: str
    token: str | None
    profile: str
    gui_origin: str | None = None
    withheld: str | None = None  # why the environment's token is not used for this origin


def resolve_target(
    *, origin: str | None = None, token: str | None = None, profile: str | None = None,
    store: ProfileStore | None = None,
) -> Target:
    """Flags win over the environment, which wins over the profile; the default is puter.com."""
    store = store if store is not None else ProfileStore()
    chosen = store.get(profile)
    if profile and chosen is None:
        raise ConfigError(f"no profile named {profile!r}")
    env_origin, env_token = os.environ.get(ENV_ORIGIN), os.environ.get(ENV_TOKEN)
    resolved_origin = normalise_origin(origin or env_origin or (chosen.origin if chosen else DEFAULT_API_ORIGIN))
    same_server = chosen is not None and resolved_origin == chosen.origin
    # The environment's token belongs to the environment's origin: a flag naming another server does not get it.
    env_token_fits = not env_origin or normalise_origin(env_origin) == resolved_origin
    resolved_token = token or (env_token if env_token_fits else None) or (chosen.token if same_server else None)
    withheld = None
    if env_token and not env_token_fits and not token:
        withheld = (f"{ENV_TOKEN} is for {normalise_origin(env_origin)} ({ENV_ORIGIN}), so it is not sent to "
                    f"{resolved_origin}" + ("" if resolved_token else ": give --token or a profile for it"))
    return Target(
        origin=resolved_origin,
        token=resolved_token,
        profile=chosen.name if (chosen and same_server) else (profile or DEFAULT_PROFILE),
        gui_origin=chosen.gui_origin if same_server else None,
        withheld=withheld,
    )
