"""Where calls go: `login` and `profiles` (saved servers and tokens), and `demo-server` to run one here.

A bad origin, an empty field, a profile that does not exist or a profiles file that cannot be read is a
`UsageError`, said before a password is asked or a request is sent.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from .exits import EXIT_FAILURE, EXIT_OK, UsageError
from .messages import remember_secret, say
from .runner import run_async

if TYPE_CHECKING:
    from ..config import ProfileStore


def profile_store() -> ProfileStore:
    from ..config import ConfigError, ProfileStore

    try:
        return ProfileStore()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def checked_origin(text: str, flag: str) -> str:
    from ..protocol.origins import normalise_origin

    try:
        return normalise_origin(text)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def cmd_login(options: argparse.Namespace) -> int:
    import getpass

    from ..config import masked
    from ..connect import LoginChoice, save_choice
    from ..protocol.login import LoginError

    checked_origin(options.gui_origin, "--gui-origin")
    if options.api_origin:
        checked_origin(options.api_origin, "--api-origin")
    if not options.username.strip():
        raise UsageError("--username: a user name is needed")
    store = profile_store()
    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise UsageError("no password given")
    choice = LoginChoice(options.gui_origin, options.username, password, options.save_as or "",
                         options.api_origin or "")
    try:
        profile = run_async(save_choice(choice, store))  # the same login, check and save as the connect screen's
    except LoginError as exc:
        say(f"error: {exc}")
        return EXIT_FAILURE
    remember_secret(profile.token)
    say(f"logged in as {profile.username}; the API origin accepts the token; profile {profile.name!r} saved "
        f"({profile.origin}, token {masked(profile.token)})")
    return EXIT_OK


def cmd_profiles(options: argparse.Namespace) -> int:
    from ..config import ConfigError, Profile, masked

    store = profile_store()
    if options.action == "list":
        if not store.profiles:
            say("no profiles yet (use `puter-explorer login` or `puter-explorer profiles add NAME`)")
        for profile in store.profiles.values():
            current = "*" if profile.name == store.current else " "
            print(f"{current} {profile.name}\t{profile.origin}\t{masked(profile.token)}")
        return EXIT_OK
    if not options.name:
        raise UsageError(f"profiles {options.action} needs a NAME")
    if options.action == "add":
        origin = checked_origin(options.set_origin or options.origin or "https://api.puter.com", "origin")
        token = sys.stdin.readline().strip() if options.token_stdin else (options.token or os.environ.get("PUTER_AUTH_TOKEN"))
        remember_secret(token)
        store.put(Profile(name=options.name, origin=origin, token=token or None))
        say(f"profile {options.name!r} saved ({origin}, token {masked(token)})")
        return EXIT_OK
    try:
        if options.action == "use":
            store.use(options.name)
        else:
            store.remove(options.name)
    except ConfigError as exc:  # no profile of that name
        raise UsageError(str(exc)) from None
    say(f"current profile: {options.name}" if options.action == "use" else f"profile {options.name!r} removed")
    return EXIT_OK


def env_lines(origin: str, token: str) -> list[str]:
    """The lines that point other commands at this server, for a POSIX shell, Windows cmd and PowerShell."""
    import shlex

    def powershell(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    return [
        "# sh, bash, zsh:",
        f"export PUTER_API_ORIGIN={shlex.quote(origin)}",
        f"export PUTER_AUTH_TOKEN={shlex.quote(token)}",
        "# Windows cmd:",
        f'set "PUTER_API_ORIGIN={origin}"',
        f'set "PUTER_AUTH_TOKEN={token}"',
        "# PowerShell:",
        f"$env:PUTER_API_ORIGIN = {powershell(origin)}",
        f"$env:PUTER_AUTH_TOKEN = {powershell(token)}",
    ]


def cmd_demo_server(options: argparse.Namespace) -> int:
    """Serve until ctrl+c, after printing the origin, the token and the lines that let other commands use it."""
    import time

    from ..demo.app import DEMO_PASSWORD, DEMO_USERNAME
    from ..demo.server import DemoServer

    token = options.fixed_token or options.token  # `--token T` before the subcommand sets it too
    server = DemoServer(generation=options.generation, token=token, host=options.host, port=options.port).start()
    try:
        lines = [
            f"origin: {server.origin}",
            f"token: {server.token}",
            f"login: username {DEMO_USERNAME}, password {DEMO_PASSWORD} (POST /login)",
            "",
            "To use this server from other commands (each --demo starts a new, empty one), paste:",
            *env_lines(server.origin, server.token),
        ]
        print("\n".join(lines), flush=True)
        say(f"demo server ({options.generation}) running; ctrl+c stops it")
        while True:
            time.sleep(3600)  # a sleep, unlike a bare lock wait, is cut short by ctrl+c on Windows too
    except KeyboardInterrupt:
        say("demo server stopped")
    finally:
        server.stop()
    return EXIT_OK
