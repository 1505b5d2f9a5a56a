"""The `puter-explorer` command: the TUI when no subcommand is given, else a headless subcommand.

stdout carries only the result (pretty JSON, or a saved file's path); everything else goes to stderr.
"""

from __future__ import annotations

# Only the standard library here: the TUI's first frame waits for this module, and each command
# imports what it needs (httpx, the history, the demo server) inside its own function.
import argparse
import json
import os
import signal
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Sequence, TypeVar

if TYPE_CHECKING:
    from .history import Entry, HistoryStore
    from .protocol.outcomes import Outcome, Stream
    from .protocol.request import CallRequest
    from .session import Session

EXIT_OK, EXIT_DRIVER_ERROR, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM, as shells report them
ERROR_LOG_LIMIT = 1024 * 1024  # the error log starts over beyond this size
# The same as export.FORMATS (a test checks): that module would bring in httpx just to parse arguments.
EXPORT_FORMATS = ("curl", "httpx", "puterjs")
T = TypeVar("T")

VIEW_HELP = "show the answer as the TUI's view does (chat, table, audio, ...)"
EXIT_CODES_HELP = """\
exit codes:
  0  the call gave a result (JSON, binary or stream)
  1  the server answered with a driver error
  2  bad usage or invalid args (nothing was sent)
  3  transport or server failure (no connection, timeout, garbage, HTTP error without an envelope),
     or an unexpected error (--debug shows its traceback)
  130, 143  interrupted (ctrl+c) or terminated (SIGTERM); a call in flight is recorded as such

environment:
  PUTER_API_ORIGIN   API origin (default https://api.puter.com; self-hosted: http://api.puter.localhost:4100)
  PUTER_AUTH_TOKEN   auth token (never printed)
  PUTER_EXPLORER_HOME  keep config and data under this folder instead of the user folders
"""


class UsageError(Exception):
    """Bad usage or invalid input: exit 2, nothing sent."""


class Terminated(BaseException):
    """SIGTERM arrived: like KeyboardInterrupt, not an error that ordinary handlers should catch."""


# Tokens this process knows of: never shown in a message or written to the error log.
_secrets: set[str] = set()
_profile_tokens_read = False


def remember_secret(token: str | None) -> None:
    if token and len(token) >= 8:  # shorter strings would blank out ordinary words; real tokens are longer
        _secrets.add(token)


def redact(text: str) -> str:
    global _profile_tokens_read
    remember_secret(os.environ.get("PUTER_AUTH_TOKEN"))
    if not _profile_tokens_read:
        _profile_tokens_read = True
        try:
            from .config import ProfileStore

            for profile in ProfileStore().profiles.values():
                remember_secret(profile.token)
        except Exception:  # an unreadable profiles file has no token we could show either
            pass
    for token in sorted(_secrets, key=len, reverse=True):
        text = text.replace(token, "<redacted>")
    return text


def say(message: str) -> None:
    """A message for the person at the terminal; server text in it cannot drive the terminal."""
    from .terminal_text import clean

    print(clean(redact(message)), file=sys.stderr, flush=True)


# -- argument parsing --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from .protocol.outcomes import OUTCOME_KINDS  # plain data, no httpx

    # Option groups, each a parent parser. They are given before the subcommand or, where they apply, after
    # it; SUPPRESS keeps a subcommand from resetting what was given before it. `main` fills the defaults.
    def group(*options: tuple[tuple[str, ...], dict[str, Any]]) -> argparse.ArgumentParser:
        parent = argparse.ArgumentParser(add_help=False)
        for flags, settings in options:
            parent.add_argument(*flags, default=argparse.SUPPRESS, **settings)
        return parent

    origin = (("--origin",), {"help": "API origin, e.g. https://api.puter.com"})
    token = (("--token",), {"help": "auth token (prefer PUTER_AUTH_TOKEN)"})
    profile = (("--profile",), {"help": "use this saved profile"})
    debug = group((("--debug",), {
        "action": "store_true", "help": "on an unexpected error, print its traceback (else it goes to the error log)"}))
    client = group(
        origin, token, profile,
        (("--demo",), {
            "action": "store_true", "help": "start the built-in demo server on a free loopback port and use it"}),
        (("--demo-generation",), {
            "choices": ("v1", "v2"), "help": "wire generation the demo server speaks (default v2)"}),
        (("--timeout",), {
            "type": float, "metavar": "SECONDS",
            "help": "how long to wait for an answer (default 60; a stream may pause 300 s between chunks)"}),
    )

    parser = argparse.ArgumentParser(
        prog="puter-explorer",
        description="Explore and call the Puter driver API. Without a subcommand, opens the terminal UI.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[client, debug],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, *parents: argparse.ArgumentParser) -> argparse.ArgumentParser:
        """A subcommand whose help lists only the options it uses."""
        return sub.add_parser(name, help=help_text, description=help_text, parents=[*parents, debug],
                              epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("demo-server", "run the demo driver server in the foreground")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--generation", choices=("v1", "v2"), default="v2")
    p.add_argument("--token", "--demo-token", "--fixed-token", dest="fixed_token", default=None, metavar="TOKEN",
                   help="the token the server accepts (default: a random one, printed at start)")

    p = command("interfaces", "show the interfaces, services and methods the server offers (merged with what we know)",
                client)
    p.add_argument("--json", action="store_true", help="print the tree as JSON")

    p = command("call", "call a driver method", client)
    p.add_argument("interface")
    p.add_argument("method")
    p.add_argument("--service", "--driver", dest="service",
                   help="service (driver) name; default: the server's, or the recommended one where the server's "
                        "cannot answer (e.g. chat on v1), said on stderr")
    p.add_argument("--args", dest="args_source", default="{}", help="JSON args, @FILE to read a file, - for stdin")
    p.add_argument("--test-mode", action="store_true", help="ask the driver for its test mode")
    p.add_argument("-o", "--output", type=Path, help="write the result (or the binary body) to this path")
    p.add_argument("--json", action="store_true", help="print the whole outcome as JSON")
    p.add_argument("--no-history", action="store_true", help="do not record this call")
    p.add_argument("--view", action="store_true", help=VIEW_HELP)

    p = command("login", "log in to a self-hosted Puter with a username and password and save the token")
    p.add_argument("--gui-origin", required=True, help="the root (GUI) origin, e.g. http://puter.localhost:4100")
    p.add_argument("--username", required=True)
    p.add_argument("--api-origin", help="API origin to save (default: api. + the GUI host)")
    p.add_argument("--save-as", dest="save_as", help="profile name to save (default: the GUI host)")

    p = command("profiles", "list, add, switch or remove saved profiles (tokens are shown masked)",
                group(origin, token))
    p.add_argument("action", nargs="?", choices=("list", "add", "use", "remove"), default="list")
    p.add_argument("name", nargs="?")
    p.add_argument("--set-origin", dest="set_origin", help="with add: API origin")
    p.add_argument("--token-stdin", action="store_true", help="with add: read the token from stdin")

    p = command("history", "list past calls, newest first (or: history prune)")
    p.add_argument("action", nargs="?", choices=("list", "prune"), default="list")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.add_argument("--interface")
    p.add_argument("--method")
    p.add_argument("--service")
    p.add_argument("--kind", choices=OUTCOME_KINDS + ("pending",))
    p.add_argument("--error-code")
    p.add_argument("--since", help="ISO date/time, or a duration like 2h, 3d")
    p.add_argument("--until", help="ISO date/time, or a duration like 2h, 3d")
    p.add_argument("--search", "-s", dest="text", help="free text over args and results")
    p.add_argument("--older-than", type=float, metavar="DAYS", help="with prune: delete entries older than this")
    p.add_argument("--keep", type=int, metavar="N", help="with prune: keep only the newest N entries")

    p = command("show", "show one history entry")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.add_argument("--view", action="store_true", help=VIEW_HELP)

    p = command("replay", "send a past call again (a new entry that records which one it replays)", client)
    p.add_argument("id", type=int)
    p.add_argument("--args", dest="args_source", default=None, help="replace the args: JSON, @FILE or -")
    p.add_argument("-o", "--output", type=Path)
    p.add_argument("--json", action="store_true")
    p.add_argument("--view", action="store_true", help=VIEW_HELP)

    p = command("diff", "JSON-aware diff of two entries' results (key order ignored)")
    p.add_argument("id1", type=int)
    p.add_argument("id2", type=int)

    p = command("export", "print a command or snippet that makes the same call", group(token, profile))
    p.add_argument("id", type=int)
    p.add_argument("--as", dest="fmt", choices=EXPORT_FORMATS, default="curl")
    p.add_argument("--with-token", action="store_true", help="put the real token in (default: $PUTER_AUTH_TOKEN)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    options = parser.parse_args(argv)
    for name, default in (("origin", None), ("token", None), ("profile", None), ("demo", False),
                          ("demo_generation", "v2"), ("timeout", None), ("debug", False)):
        if not hasattr(options, name):
            setattr(options, name, default)
    remember_secret(options.token)
    handler = COMMANDS.get(options.command or "", run_tui)
    previous = _on_sigterm(_raise_terminated)
    try:
        return handler(options)
    except UsageError as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    except _usage_errors() as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        say("interrupted")
        return EXIT_INTERRUPTED
    except Terminated:
        say("terminated")
        return EXIT_TERMINATED
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, without a traceback on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        report_unexpected(exc, debug=options.debug)
        return EXIT_FAILURE
    finally:
        _on_sigterm(previous)


def _usage_errors() -> tuple[type[BaseException], ...]:
    """The errors that mean bad usage or input. A module not imported yet cannot have raised its error."""
    errors: list[type[BaseException]] = [LookupError, ValueError]
    for module, name in (("explorer.config", "ConfigError"), ("explorer.history.errors", "HistoryError")):
        loaded = sys.modules.get(module)
        if loaded is not None:
            errors.append(getattr(loaded, name))
    return tuple(errors)


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated()


def _on_sigterm(handler: Any) -> Any:
    """Install a SIGTERM handler (from the main thread only); returns the one it replaces."""
    try:
        return signal.signal(signal.SIGTERM, handler)
    except (ValueError, TypeError, OSError):  # not the main thread, or no such signal here
        return None


def report_unexpected(exc: BaseException, *, debug: bool) -> None:
    """One line on stderr; the traceback (tokens redacted) on stderr with --debug, else in the error log."""
    import traceback

    from .terminal_text import clean

    if isinstance(exc, OSError) and exc.strerror:
        what = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    else:
        what = type(exc).__name__ + (f": {exc}" if str(exc) else "")
    what = " ".join(what.split())
    say(f"error: {what}")
    trace = redact("".join(traceback.format_exception(exc)))
    if debug:
        sys.stderr.write(clean(trace))
        sys.stderr.flush()
        return
    logged = write_error_log(trace)
    say("rerun with --debug to see the traceback" + (f" (also saved in {logged})" if logged else ""))


def write_error_log(trace: str) -> Path | None:
    """Append a traceback to the error log (0600); None when it cannot be written."""
    from . import paths

    path = paths.error_log_path()
    try:
        paths.private_dir(path.parent)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        if path.is_file() and path.stat().st_size > ERROR_LOG_LIMIT:
            flags |= os.O_TRUNC
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as log:
            os.fchmod(fd, 0o600)  # a file made earlier by other means
            log.write(f"--- {datetime.now(timezone.utc).isoformat(timespec='seconds')} {paths.APP_NAME}\n")
            log.write(trace)
        return path
    except OSError:
        return None


def run_async(work: Awaitable[T]) -> T:
    """`asyncio.run`, with ctrl+c and SIGTERM cancelling the work with a reason a call records.

    Then KeyboardInterrupt or Terminated is raised, for `main` to report.
    """
    import asyncio

    from .session import INTERRUPTED, TERMINATED

    received: list[str] = []

    async def guarded() -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def stop(reason: str) -> None:
            received.append(reason)
            task.cancel(reason)

        installed = []
        for signum, reason in ((signal.SIGINT, INTERRUPTED), (signal.SIGTERM, TERMINATED)):
            try:
                loop.add_signal_handler(signum, stop, reason)
                installed.append(signum)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # no loop signal handlers here: the process-wide handlers still apply
        try:
            return await work
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)
            _on_sigterm(_raise_terminated)  # remove_signal_handler restored the default, which kills

    try:
        result = asyncio.run(guarded())
    except asyncio.CancelledError:
        if not received:
            raise
    if not received:
        return result
    if received[0] == TERMINATED:
        raise Terminated()
    raise KeyboardInterrupt()


# -- helpers ------------------------------------------------------------------------------------


def read_args(source: str) -> Any:
    """`--args` as JSON text, `@FILE`, or `-` for stdin; invalid JSON is a usage error with line and column."""
    if source == "-":
        text, where = sys.stdin.read(), "stdin"
    elif source.startswith("@"):
        try:
            text, where = Path(source[1:]).read_text(encoding="utf-8"), source[1:]
        except OSError as exc:
            raise UsageError(f"cannot read args file {source[1:]}: {exc.strerror}") from None
    else:
        text, where = source, "--args"
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"invalid JSON in {where} at line {exc.lineno}, column {exc.colno}: {exc.msg}; nothing was sent") from None


async def _session(options: argparse.Namespace, *, record: bool = True, downloads: bool = True) -> Session:
    from .protocol.request import Timeouts
    from .session import open_session

    session = await open_session(
        demo=options.demo, demo_generation=options.demo_generation, origin=options.origin, token=options.token,
        profile=options.profile, record=record,
        timeouts=Timeouts(read=options.timeout) if options.timeout else None,
    )
    if session.demo is not None:
        remember_secret(session.demo.token)
    if session.history_problem:
        say(f"warning: this call is not recorded in the history: {session.history_problem}")
    if session.download_problem and downloads:
        say(f"warning: {session.download_problem}")
    return session


def _history() -> HistoryStore:
    from . import paths
    from .history import HistoryStore

    path = paths.history_path()
    if not path.exists():
        raise LookupError("there is no history yet")
    return HistoryStore(path)


def _exit_code(outcome: Outcome) -> int:
    from .protocol.outcomes import DriverError, Failure, Stream

    if isinstance(outcome, DriverError):
        return EXIT_DRIVER_ERROR
    if isinstance(outcome, Failure):
        return EXIT_FAILURE
    if isinstance(outcome, Stream) and outcome.error:
        return EXIT_FAILURE
    return EXIT_OK


def outcome_json(outcome: Outcome, entry_id: int | None) -> dict[str, Any]:
    from .protocol.outcomes import Binary, DriverError, Result, Stream

    data: dict[str, Any] = {"kind": outcome.kind, "status": outcome.exchange.status, "entry": entry_id,
                            "duration_ms": round(outcome.exchange.duration_ms, 1), "size": outcome.exchange.size}
    if isinstance(outcome, Result):
        data.update(result=outcome.value, service=outcome.service_name, metadata=outcome.metadata,
                    saved_path=str(outcome.saved_path) if outcome.saved_path else None)
    elif isinstance(outcome, DriverError):
        data.update(code=outcome.code, normalised_code=outcome.normalised_code, message=outcome.message,
                    nominal_status=outcome.nominal_status, body=outcome.body)
    elif isinstance(outcome, Binary):
        data.update(path=str(outcome.path), content_type=outcome.content_type, size=outcome.size,
                    sha256=outcome.sha256)
    elif isinstance(outcome, Stream):
        # `chunks` and `text` are the ends of the stream that memory keeps; the whole body is in saved_path.
        data.update(text=outcome.text, text_truncated=outcome.text_truncated, text_chars=outcome.text_chars,
                    chunk_count=outcome.chunk_count, chunks=list(outcome.chunks), complete=outcome.complete,
                    error=outcome.error, saved_path=str(outcome.saved_path) if outcome.saved_path else None)
    else:
        data.update(failure=outcome.failure, message=outcome.message)
    return data


def print_view(answer: Any, save_dir: Path | None) -> bool:
    """The answer as its driver view would show it (True), or nothing when no view fits it (False)."""
    import shutil

    from .driver_views.text import render

    shown = render(answer, shutil.get_terminal_size((100, 24)).columns, save_dir)
    if shown is None:
        return False
    print(redact(shown))
    return True


def print_outcome(outcome: Outcome, entry_id: int | None, options: argparse.Namespace, streamed: bool,
                  request: CallRequest | None = None, save_dir: Path | None = None) -> int:
    import shutil

    from .protocol.outcomes import Binary, DriverError, Failure, Result, Stream
    from .terminal_text import clean, json_text

    output: Path | None = getattr(options, "output", None)
    if isinstance(outcome, Binary) and output is not None and not outcome.external:
        shutil.copyfile(outcome.path, output)  # written elsewhere (not by this command's call): copy it
        outcome.path = output
    viewed = False
    if getattr(options, "view", False) and not options.json and request is not None:
        from .driver_views import Answer

        viewed = print_view(Answer.of_outcome(request.interface, request.method, request.args, outcome, entry_id),
                            save_dir)
    if options.json:
        print(json_text(outcome_json(outcome, entry_id)))
    elif viewed:
        if isinstance(outcome, Result) and output is not None and outcome.saved_path is None:
            output.write_text(json_text(outcome.value) + "\n", encoding="utf-8")
        elif isinstance(outcome, Stream) and output is not None:
            write_stream_text(outcome, output)
    elif isinstance(outcome, Result):
        if outcome.saved_path is not None:
            print(outcome.saved_path)
        else:
            text = json_text(outcome.value)
            if output is not None:
                output.write_text(text + "\n", encoding="utf-8")
                print(output)
            else:
                print(text)
    elif isinstance(outcome, Binary):
        print(outcome.path)
    elif isinstance(outcome, Stream) and output is not None:
        write_stream_text(outcome, output)
        print(output)
    elif isinstance(outcome, Stream) and not streamed:
        print(clean(outcome.text))
    if isinstance(outcome, Stream) and outcome.text_truncated and not (streamed or output is not None or viewed):
        where = f"the whole stream is saved in {outcome.saved_path}" if outcome.saved_path else "the rest was not kept"
        say(f"the stream's text was {outcome.text_chars} characters; only its last {len(outcome.text)} are shown "
            f"here; {where}")
    if isinstance(outcome, Binary):
        say(f"{outcome.content_type}, {outcome.size} bytes, sha256 {outcome.sha256}")
    elif isinstance(outcome, DriverError):
        say(f"driver error {outcome.code or '(no code)'} (HTTP {outcome.status}): {outcome.message}")
    elif isinstance(outcome, Failure):
        say(f"failed ({outcome.failure}): {outcome.message}")
    elif isinstance(outcome, Stream) and outcome.error:
        say(f"stream incomplete: {outcome.error}")
    if entry_id is not None:
        say(f"history entry {entry_id}")
    return _exit_code(outcome)


def write_stream_text(outcome: Stream, output: Path) -> None:
    """The whole text of a stream into `output`: from the saved body when memory kept only its end."""
    saved = outcome.saved_path
    if not outcome.text_truncated or saved is None or not saved.is_file():
        output.write_text(outcome.text, encoding="utf-8")
        return
    with saved.open(encoding="utf-8", errors="replace") as body, output.open("w", encoding="utf-8") as out:
        for line in body:
            try:
                chunk = json.loads(line)
            except ValueError:
                continue
            if isinstance(chunk, dict) and chunk.get("type") == "text" and isinstance(chunk.get("text"), str):
                out.write(chunk["text"])


async def _call_and_print(session: Session, request: CallRequest, options: argparse.Namespace,
                          replay_of: int | None = None) -> int:
    from .protocol.outcomes import Stream
    from .terminal_text import clean

    streamed = not options.json and getattr(options, "output", None) is None and not getattr(options, "view", False)

    def on_chunk(chunk: Any) -> None:
        if streamed and isinstance(chunk, dict) and chunk.get("type") == "text":
            sys.stdout.write(clean(str(chunk.get("text", ""))))
            sys.stdout.flush()

    def on_warning(message: str) -> None:
        say(f"warning: {message}")

    # With -o a binary body is written once, straight to that path (and recorded there).
    entry_id, outcome = await session.call(request, on_chunk=on_chunk, replay_of=replay_of, on_warning=on_warning,
                                           binary_path=getattr(options, "output", None))
    if streamed and isinstance(outcome, Stream):
        sys.stdout.write("\n")
    return print_outcome(outcome, entry_id, options, streamed, request, session.connection.download_dir)


# -- commands -----------------------------------------------------------------------------------


def run_tui(options: argparse.Namespace) -> int:
    # The app starts at once; the session (demo server, history, HTTP client) is made by the factory,
    # which the app calls once its first frame is on screen.
    from .tui.app import run_tui as start_tui
    from .connect import needs_connect

    async def factory(choice: Any = None) -> Session:
        import asyncio
        import importlib

        # In a thread: the screen keeps answering while the HTTP stack and the history load.
        await asyncio.to_thread(importlib.import_module, "explorer.session")
        from .connect import DemoChoice, open_chosen_session

        if choice is None:
            return await _session(options)
        if isinstance(choice, DemoChoice):
            choice = DemoChoice(options.demo_generation)
        return await open_chosen_session(choice)

    # Nothing says which server and token to use: the TUI asks (demo, token, or a self-hosted login).
    ask = needs_connect(demo=options.demo, origin=options.origin, token=options.token, profile=options.profile)
    start_tui(factory, connect_first=ask)
    return EXIT_OK


def cmd_demo_server(options: argparse.Namespace) -> int:
    from .demo.server import serve_forever

    token = options.fixed_token or options.token  # `--token T` before the subcommand sets it too
    serve_forever(host=options.host, port=options.port, generation=options.generation, token=token)
    return EXIT_OK


def cmd_interfaces(options: argparse.Namespace) -> int:
    from .terminal_text import clean, json_text

    async def run() -> int:
        session = await _session(options, record=False, downloads=False)
        try:
            catalog = await session.discover()
        finally:
            await session.aclose()
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
        # Only what we know was shown: the server itself could not be asked.
        return EXIT_FAILURE if catalog.errors and catalog.generation is None else EXIT_OK

    return run_async(run())


def cmd_call(options: argparse.Namespace) -> int:
    from .protocol.catalog import has_recommendation, missing_required
    from .protocol.request import CallRequest

    args = read_args(options.args_source)

    async def run() -> int:
        session = await _session(options, record=not options.no_history)
        try:
            service = options.service
            if service is None and has_recommendation(options.interface):
                await session.discover()  # which generation, hence whether the server's default can answer
                service = _recommended_service(session.catalog, options.interface)
            method = session.catalog.method(options.interface, options.method)
            if method is not None and missing_required(method, args):
                say(f"warning: missing required parameters: {', '.join(missing_required(method, args))}")
            request = CallRequest(options.interface, options.method, args, service, options.test_mode)
            return await _call_and_print(session, request, options)
        finally:
            await session.aclose()

    return run_async(run())


def _recommended_service(catalog: Any, interface: str) -> str | None:
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

    async def run() -> int:
        session = await _session(options)
        try:
            entry = session.entry(options.id)
            if entry is None:
                raise LookupError(f"no history entry {options.id}"
                                  + (" (the history cannot be opened)" if session.history_problem else ""))
            request = session.request_from_entry(entry, args)
            return await _call_and_print(session, request, options, replay_of=entry.id)
        finally:
            await session.aclose()

    return run_async(run())


def cmd_login(options: argparse.Namespace) -> int:
    import getpass

    from .config import masked
    from .connect import LoginChoice, save_choice
    from .protocol.login import LoginError
    from .protocol.origins import normalise_origin

    normalise_origin(options.gui_origin)  # a bad origin is a usage error before the password is asked
    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise UsageError("no password given")
    choice = LoginChoice(options.gui_origin, options.username, password, options.save_as or "",
                         options.api_origin or "")
    try:
        profile = run_async(save_choice(choice))  # the same login, check and save as the connect screen's
    except LoginError as exc:
        say(f"error: {exc}")
        return EXIT_FAILURE
    remember_secret(profile.token)
    say(f"logged in as {profile.username}; the API origin accepts the token; profile {profile.name!r} saved "
        f"({profile.origin}, token {masked(profile.token)})")
    return EXIT_OK


def cmd_profiles(options: argparse.Namespace) -> int:
    from .config import Profile, ProfileStore, masked
    from .protocol.origins import normalise_origin

    store = ProfileStore()
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
        token = sys.stdin.readline().strip() if options.token_stdin else (options.token or os.environ.get("PUTER_AUTH_TOKEN"))
        remember_secret(token)
        origin = options.set_origin or options.origin or "https://api.puter.com"
        store.put(Profile(name=options.name, origin=origin, token=token or None))
        say(f"profile {options.name!r} saved ({normalise_origin(origin)}, token {masked(token)})")
    elif options.action == "use":
        store.use(options.name)
        say(f"current profile: {options.name}")
    else:
        store.remove(options.name)
        say(f"profile {options.name!r} removed")
    return EXIT_OK


def parse_when(text: str | None) -> datetime | None:
    if not text:
        return None
    units = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
    if text[-1:] in units and text[:-1].replace(".", "", 1).isdigit():
        return datetime.now(timezone.utc) - timedelta(seconds=float(text[:-1]) * units[text[-1]])
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"not a date/time or duration: {text!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id, "created_at": entry.created_at.isoformat(), "origin": entry.origin, "profile": entry.profile,
        "interface": entry.interface, "service": entry.service, "method": entry.method, "args": entry.args,
        "test_mode": entry.test_mode, "kind": entry.kind, "status": entry.status, "error_code": entry.error_code,
        "error_message": entry.error_message, "duration_ms": entry.duration_ms, "size": entry.size,
        "content_type": entry.content_type, "body_path": entry.body_path, "replay_of": entry.replay_of,
        "summary": entry.summary,
    }


def cmd_history(options: argparse.Namespace) -> int:
    from .history import EntryFilter
    from .terminal_text import clean, json_text

    store = _history()
    try:
        if options.action == "prune":
            if options.older_than is None and options.keep is None:
                raise UsageError("history prune needs --older-than DAYS or --keep N")
            removed = store.prune(older_than_days=options.older_than, keep=options.keep)
            say(f"removed {removed} entries")
            return EXIT_OK
        entry_filter = EntryFilter(
            interface=options.interface, method=options.method, service=options.service, kind=options.kind,
            error_code=options.error_code, since=parse_when(options.since), until=parse_when(options.until),
            text=options.text,
        )
        entries = store.list(limit=options.limit, filter=entry_filter)
    finally:
        store.close()
    if options.json:
        print(json_text([entry_json(e) for e in entries]))
        return EXIT_OK
    for e in entries:
        when = e.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        status = e.status if e.status is not None else "-"
        replay = f" (replay of {e.replay_of})" if e.replay_of else ""
        line = f"{e.id:>6}  {when}  {e.kind:<12} {status!s:>4}  {e.interface}.{e.method} [{e.service or 'default'}]{replay}"
        print(clean(line))
    return EXIT_OK


def cmd_show(options: argparse.Namespace) -> int:
    from .history.values import body_file_problem, result_value
    from .terminal_text import json_text

    store = _history()
    try:
        entry = store.get(options.id)
        if entry is None:
            raise LookupError(f"no history entry {options.id}")
        data = entry_json(entry)
        data["request_body"] = json.loads(entry.request_body)
        data["response_headers"] = entry.response_headers
        data["result"] = result_value(store, entry)
    finally:
        store.close()
    if not (options.view and _show_view(entry)):
        print(json_text(data))
    problem = body_file_problem(entry)
    if problem:
        say(f"warning: {problem}")
    return EXIT_OK


def _show_view(entry: Entry) -> bool:
    from . import paths
    from .driver_views import Answer

    return print_view(Answer.of_entry(entry), paths.downloads_dir())


def cmd_diff(options: argparse.Namespace) -> int:
    from .history.values import result_value
    from .jsondiff import diff, render
    from .terminal_text import clean

    store = _history()
    try:
        entries = [store.get(options.id1), store.get(options.id2)]
        for wanted, entry in zip((options.id1, options.id2), entries):
            if entry is None:
                raise LookupError(f"no history entry {wanted}")
        old, new = (result_value(store, e) for e in entries)  # type: ignore[arg-type]
    finally:
        store.close()
    changes = list(diff(old, new))
    print(clean(render(changes)))
    return EXIT_OK


def cmd_export(options: argparse.Namespace) -> int:
    from .config import resolve_target
    from .export import export_call
    from .terminal_text import clean

    store = _history()
    try:
        entry = store.get(options.id)
    finally:
        store.close()
    if entry is None:
        raise LookupError(f"no history entry {options.id}")
    token = None
    if options.with_token:
        token = resolve_target(origin=entry.origin, token=options.token, profile=options.profile).token
        if not token:
            raise UsageError("--with-token: no token known for this origin (set PUTER_AUTH_TOKEN or --token)")
    print(clean(export_call(entry.origin, json.loads(entry.request_body), options.fmt, token)))
    return EXIT_OK


COMMANDS = {
    "demo-server": cmd_demo_server,
    "interfaces": cmd_interfaces,
    "call": cmd_call,
    "login": cmd_login,
    "profiles": cmd_profiles,
    "history": cmd_history,
    "show": cmd_show,
    "replay": cmd_replay,
    "diff": cmd_diff,
    "export": cmd_export,
}


if __name__ == "__main__":
    sys.exit(main())
