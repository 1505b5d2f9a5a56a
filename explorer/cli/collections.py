"""The collection commands: `run` checks call files against a server, `save` writes a history entry as one,
`import` makes one from a curl command or a puter.js snippet.

`run` exits 0 when every expectation holds, 1 when one fails (or `--against` finds a difference), 2 when a
file does not parse (the others still run), 3 when the server cannot be reached.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .exits import EXIT_DRIVER_ERROR, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError
from .messages import remember_secret, say
from .runner import run_async

if TYPE_CHECKING:
    from ..collection.run import FileResult
    from ..session import Session


def add_commands(command: Any, client: argparse.ArgumentParser) -> None:
    """The parser entries of `run`, `save` and `import` (`command` makes a subcommand)."""
    from .exit_help import IMPORT_EXITS, RUN_EXITS, SAVE_EXITS

    p = command("run", "run collection files (folders or single files) and check their expectations", client,
                exit_codes=RUN_EXITS)
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--junit", type=Path, metavar="FILE", help="write the results as JUnit XML")
    p.add_argument("--json", dest="json_report", type=Path, metavar="FILE", help="write the results as JSON")
    p.add_argument("--against", metavar="ORIGIN",
                   help="also run each call on ORIGIN (or demo:v1 / demo:v2) and report where the answers differ")
    p.add_argument("--repeat", type=_positive, default=1, metavar="N", help="run each file N times")
    p.add_argument("--concurrency", type=_positive, default=1, metavar="C", help="with --repeat: C calls at once")
    p.add_argument("--filter", metavar="TEXT", help="only files whose path contains TEXT")

    p = command("save", "write a history entry as a collection file, expecting what it gave", exit_codes=SAVE_EXITS)
    p.add_argument("id", type=int)
    p.add_argument("path", type=Path, metavar="PATH", help="a .yaml file, or a folder to write it in")
    p.add_argument("--force", action="store_true", help="replace a file that exists")

    p = command("import", "write a collection file from a curl command or a puter.js snippet", exit_codes=IMPORT_EXITS)
    p.add_argument("format", choices=("curl", "puterjs"))
    p.add_argument("source", metavar="FILE", help="the file to read, or - for stdin")
    p.add_argument("-o", "--output", type=Path, metavar="PATH", help="write here (default: stdout)")
    p.add_argument("--force", action="store_true", help="replace a file that exists")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return value


def cmd_run(options: argparse.Namespace) -> int:
    from ..collection.files import FileProblem
    from ..collection.run import RunOptions, load_all, run
    from .calls import check_target, open_session_for

    for path in options.paths:
        if not path.exists():
            raise UsageError(f"no such file or folder: {path}")
    files = load_all(options.paths, options.filter)
    if not files:
        raise UsageError("no call files (*.yaml, *.yml) " + (f"match {options.filter!r}" if options.filter else "there"))
    check_target(options)
    progress = Progress(len(files), sys.stderr.isatty())

    async def go() -> tuple[list[FileResult], float]:
        session = await open_session_for(options)
        other = None
        try:
            if options.against:
                other = await _other_session(options.against)
            started = time.monotonic()
            results = await run(files, session.call, options=RunOptions(options.repeat, options.concurrency),
                                against=other.call if other is not None else None, on_result=progress.add)
            return results, time.monotonic() - started
        finally:
            await session.aclose()
            if other is not None:
                await other.aclose()

    results, seconds = run_async(go())
    progress.finish(results, seconds)
    _write_reports(options, results, seconds)
    if any(r.unreachable and r.status == "failed" for r in results):
        return EXIT_FAILURE
    if any(isinstance(item, FileProblem) for item in files):
        return EXIT_USAGE
    return EXIT_OK if all(r.status == "passed" for r in results) else EXIT_DRIVER_ERROR


async def _other_session(against: str) -> Session:
    """The session of `--against`: a demo server of its own (demo:v1, demo:v2), or an origin with its token."""
    from ..replays import token_for
    from ..session import open_session

    if against in ("demo:v1", "demo:v2"):
        session = await open_session(demo=True, demo_generation=against[-2:])
        remember_secret(session.demo.token)
        return session
    try:
        token, profile = token_for(against, None)
        remember_secret(token)
        return await open_session(origin=against, token=token, profile=profile)
    except ValueError as error:
        raise UsageError(f"--against: {error}") from None


def _write_reports(options: argparse.Namespace, results: list[FileResult], seconds: float) -> None:
    from ..collection.report import write_json, write_junit
    from ..terminal_text import clean
    from .messages import redact as without_secrets

    def redact(text: str) -> str:  # every token this process knows of: the flags', the environment's, profiles'
        return clean(without_secrets(text))

    suite = "+".join(path.stem or str(path) for path in options.paths)
    if options.junit:
        write_junit(options.junit, results, seconds, redact, suite)
    if options.json_report:
        write_json(options.json_report, results, seconds, redact)


class Progress:
    """On a terminal a bar on stderr; otherwise one line per file on stdout as each ends."""

    def __init__(self, total: int, bar: bool) -> None:
        self.total, self.bar, self.done = total, bar, 0

    def add(self, result: FileResult) -> None:
        from ..collection.report import line
        from ..terminal_text import clean

        self.done += 1
        if not self.bar:
            print(clean(line(result)), flush=True)
            return
        filled = round(24 * self.done / self.total)
        sys.stderr.write(f"\r[{'#' * filled}{'-' * (24 - filled)}] {self.done}/{self.total} {clean(result.name)[:40]:40}")
        sys.stderr.flush()

    def finish(self, results: list[FileResult], seconds: float) -> None:
        from ..collection.report import line, summary
        from ..terminal_text import clean

        if self.bar:
            sys.stderr.write("\r" + " " * 80 + "\r")
            for result in results:
                if result.status != "passed":
                    print(clean(line(result)))
        print(summary(results, seconds))


def cmd_save(options: argparse.Namespace) -> int:
    from ..collection.convert import from_entry
    from ..collection.files import dump
    from ..history.values import result_value
    from .history import entry_of, open_history

    store = open_history()
    try:
        entry = entry_of(store, options.id)
        if entry.pending:
            raise UsageError(f"history entry {options.id} has no outcome yet (pending): nothing to expect")
        call = from_entry(entry, result_value(store, entry))
    finally:
        store.close()
    path = options.path
    if path.is_dir() or not path.suffix:
        path = path / f"{entry.id}-{entry.interface}-{entry.method}.yaml"
    _write_file(path, dump(call), options.force)
    print(path)
    return EXIT_OK


def cmd_import(options: argparse.Namespace) -> int:
    from ..collection.convert import ImportProblem, from_curl, from_puterjs
    from ..collection.files import dump

    try:
        text = sys.stdin.read() if options.source == "-" else Path(options.source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {options.source}: {error}") from None
    try:
        call, notes = (from_curl if options.format == "curl" else from_puterjs)(text)
    except ImportProblem as problem:
        raise UsageError(f"{options.source}: {problem}") from None
    for note in notes:
        say(f"note: {note}")
    if options.output is None:
        sys.stdout.write(dump(call))
    else:
        _write_file(options.output, dump(call), options.force)
        print(options.output)
    return EXIT_OK


def _write_file(path: Path, text: str, force: bool) -> None:
    if path.exists() and not force:
        raise UsageError(f"{path} exists (--force replaces it)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
