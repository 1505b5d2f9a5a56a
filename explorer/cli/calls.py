"""The commands that talk to the server: `interfaces`, `call` and `replay`, and the session they open.

Their input (args JSON, origin, profile, the entry replayed) is checked before anything is sent: a problem
there is a `UsageError`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .exits import EXIT_DRIVER_ERROR, EXIT_FAILURE, EXIT_OK, UsageError
from .hints import discovery_status, hint_for
from .messages import remember_secret, say
from .output import print_outcome
from .runner import run_async

if TYPE_CHECKING:
    from ..protocol.catalog import Catalog
    from ..protocol.request import CallRequest
    from ..session import Session


def read_args(source: str) -> Any:
    """`--args` as JSON text, `@FILE`, or `-` for stdin; what cannot be read or parsed is a usage error
    (invalid JSON with its line and column)."""
    where = "stdin" if source == "-" else source[1:] if source.startswith("@") else "--args"
    try:
        if source == "-":
            text = sys.stdin.read()
        elif source.startswith("@"):
            text = Path(where).read_text(encoding="utf-8")
        else:
            text = source
    except OSError as exc:
        raise UsageError(f"cannot read args file {where}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"the args in {where} cannot be decoded as text ({exc.reason}); nothing was sent") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"invalid JSON in {where} at line {exc.lineno}, column {exc.colno}: {exc.msg}; "
                         "nothing was sent") from None


def check_target(options: argparse.Namespace) -> None:
    """Which server and token the options, environment and profiles name: a bad origin, or a profile that is
    unknown or unreadable, is bad usage, said before anything is sent."""
    if options.demo:
        return
    from ..config import ConfigError, resolve_target

    try:
        target = resolve_target(origin=options.origin, token=options.token, profile=options.profile)
    except (ConfigError, ValueError) as exc:  # ValueError: an origin that is not http(s)
        raise UsageError(str(exc)) from None
    if target.withheld:
        say(f"note: {target.withheld}")


async def open_session_for(options: argparse.Namespace, *, record: bool = True, downloads: bool = True,
                           profiles: Any = None) -> Session:
    """The session the options describe; what it cannot do (record, save where usual) is said on stderr.
    `profiles`: the profile store to use instead of the profiles file (`session.open_session`)."""
    from ..protocol.request import Timeouts
    from ..session import open_session

    session = await open_session(
        demo=options.demo, demo_generation=options.demo_generation, origin=options.origin, token=options.token,
        profile=options.profile, record=record,
        timeouts=Timeouts(read=options.timeout) if options.timeout else None, profiles=profiles,
    )
    if session.demo is not None:
        remember_secret(session.demo.token)
    if session.history_problem:
        say(f"warning: this call is not recorded in the history: {session.history_problem}")
    if session.download_problem and downloads:
        say(f"warning: {session.download_problem}")
    return session


def cmd_interfaces(options: argparse.Namespace) -> int:
    from ..terminal_text import clean, json_text

    check_target(options)

    async def run() -> int:
        session = await open_session_for(options, record=False, downloads=False)
        try:
            catalog = await session.discover()
        finally:
            await session.aclose()
        if options.check:
            return _check_drift(catalog)
        if options.json:
            print(json_text(catalog.to_json()))
        else:
            print(f"# {session.origin} (server generation: {catalog.generation or 'unknown'})")
            for iface in catalog.interfaces.values():
                mark = "" if iface.source == "server" else f"  [{iface.source}]"
                print(clean(f"{iface.name}{mark}"))
                services = ", ".join(s.name + ("*" if s.name == iface.default_service else "")
                                     for s in iface.services.values())
                print(clean(f"  services: {services or '(none)'}"))
                for method in iface.methods.values():
                    params = ", ".join(p.name + ("" if p.required else "?") + f": {p.type}" for p in method.parameters)
                    print(clean(f"  {method.name}({params})"))
        for error in catalog.errors:
            say(f"warning: {error}")
        hint_for(discovery_status(catalog.errors))
        # Only what we know was shown: the server itself could not be asked.
        return EXIT_FAILURE if catalog.errors and catalog.generation is None else EXIT_OK

    return run_async(run())


def _check_drift(catalog: Catalog) -> int:
    """`interfaces --check`: 1 when the server offers something the bundled catalogue does not know."""
    from ..drift import compare, render
    from ..terminal_text import clean

    for error in catalog.errors:
        say(f"warning: {error}")
    hint_for(discovery_status(catalog.errors))
    if catalog.generation is None:
        say("error: the server could not be asked what it offers; nothing to compare")
        return EXIT_FAILURE
    drift = compare(catalog)
    print(clean(render(drift)))
    return EXIT_DRIVER_ERROR if drift.new else EXIT_OK


def cmd_call(options: argparse.Namespace) -> int:
    from ..protocol.catalog import has_recommendation, missing_required
    from ..protocol.request import CallRequest

    args = read_args(options.args_source)
    check_target(options)

    async def run() -> int:
        session = await open_session_for(options, record=not options.no_history)
        try:
            service = options.service
            if service is None and has_recommendation(options.interface):
                await session.discover()  # which generation, hence whether the server's default can answer
                service = recommended_service(session.catalog, options.interface)
            method = session.catalog.method(options.interface, options.method)
            missing = missing_required(method, args) if method is not None else []
            if missing:
                say(f"warning: missing required parameters: {', '.join(missing)}")
            request = CallRequest(options.interface, options.method, args, service, options.test_mode)
            return await call_and_print(session, request, options)
        finally:
            await session.aclose()

    return run_async(run())


def recommended_service(catalog: Catalog, interface: str) -> str | None:
    """The catalogue's recommended service where it differs from the server's default (a v1 default needs a
    provider key a bare install lacks), said on stderr; None leaves the choice to the server. The TUI
    preselects the same one (`Interface.preferred_service`)."""
    iface = catalog.interfaces.get(interface)
    if iface is None or iface.recommended_service in (None, iface.default_service):
        return None
    say(f"service: {iface.recommended_service} (recommended for {interface}; the server's default, "
        f"{iface.default_service or 'unnamed'}, may not answer here; --service picks another)")
    return iface.recommended_service


def cmd_replay(options: argparse.Namespace) -> int:
    args = read_args(options.args_source) if options.args_source is not None else None
    check_target(options)

    async def run() -> int:
        session = await open_session_for(options)
        try:
            entry = session.entry(options.id)
            if entry is None:
                raise UsageError(f"no history entry {options.id}"
                                 + (" (the history cannot be opened)" if session.history_problem else ""))
            from ..replays import merged_args, same_origin, token_for

            given = args if args is None or options.replace_args else merged_args(entry.args, args)
            request = session.request_from_entry(entry, given)
            # Where it was made, unless the command line names a server (the environment does not count).
            origin = session.origin if (options.origin or options.demo or options.profile) else entry.origin
            if not same_origin(origin, session.origin):
                say(f"replaying #{entry.id} on {origin}, where it was made (--origin sends it elsewhere)")
                if not options.token and not await asyncio.to_thread(lambda: token_for(origin, entry.profile)[0]):
                    say(f"note: no token is kept for {origin}: the call goes without one")
            return await call_and_print(session, request, options, replay_of=entry.id, replay_origin=origin)
        finally:
            await session.aclose()

    return run_async(run())


async def call_and_print(session: Session, request: CallRequest, options: argparse.Namespace,
                         replay_of: int | None = None, replay_origin: str | None = None) -> int:
    """Send `request`, printing a stream's text as it comes unless the outcome is printed another way."""
    from ..protocol.outcomes import Stream
    from ..terminal_text import clean

    output: Path | None = getattr(options, "output", None)
    streamed = not options.json and output is None and not getattr(options, "view", False)

    def on_chunk(chunk: Any) -> None:
        if streamed and isinstance(chunk, dict) and chunk.get("type") == "text":
            sys.stdout.write(clean(str(chunk.get("text", ""))))
            sys.stdout.flush()

    def on_warning(message: str) -> None:
        say(f"warning: {message}")

    # With -o a binary body is written once, straight to that path (and recorded there).
    if replay_of is not None:
        entry_id, outcome = await session.replay(replay_of, args=request.args, origin=replay_origin, on_chunk=on_chunk,
                                                 on_warning=on_warning, binary_path=output,
                                                 token=getattr(options, "token", None))
    else:
        entry_id, outcome = await session.call(request, on_chunk=on_chunk, on_warning=on_warning, binary_path=output)
    if streamed and isinstance(outcome, Stream):
        sys.stdout.write("\n")
    return print_outcome(outcome, entry_id, options, streamed, request, session.connection.download_dir)
