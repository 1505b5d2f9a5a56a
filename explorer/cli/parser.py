"""The command line: options given before the subcommand or, where they apply, after it."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any, Callable, Sequence

from . import exit_help as exits

VIEW_HELP = "show the answer as the TUI's view does (chat, table, audio, ...)"

# What `main` fills in when an option group was given neither before nor after the subcommand.
GLOBAL_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("origin", None), ("token", None), ("profile", None), ("demo", False), ("demo_generation", "v2"),
    ("timeout", None), ("debug", False),
)

Option = tuple[tuple[str, ...], dict[str, Any]]


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0 to 65535: {text!r}")
    return value


# A check of what one (sub)command parsed: the problem to report, or None.
Check = Callable[[argparse.Namespace], str | None]


class CommandParser(argparse.ArgumentParser):
    """Reports what it does not take under its own usage line: argparse leaves a subcommand's stray argument
    to the top parser, whose usage says nothing about that subcommand. `checks` cover what argparse cannot
    say, such as one option that needs another."""

    def __init__(self, *args: Any, checks: Sequence[Check] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checks = tuple(checks)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> tuple[argparse.Namespace, list[str]]:
        options, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        for check in self.checks:
            problem = check(options)
            if problem:
                self.error(problem)
        return options, extras


def _replace_args_needs_args(options: argparse.Namespace) -> str | None:
    if options.replace_args and options.args_source is None:
        return "--replace-args needs --args: the args that replace the recorded ones"
    return None


def _group(*options: Option) -> argparse.ArgumentParser:
    """Options shared by several subcommands, as a parent parser. SUPPRESS keeps a subcommand from resetting
    what was given before it; `parse` fills in the rest."""
    parent = argparse.ArgumentParser(add_help=False)
    for flags, settings in options:
        parent.add_argument(*flags, default=argparse.SUPPRESS, **settings)
    return parent


ORIGIN: Option = (("--origin",), {"help": "API origin, e.g. https://api.puter.com"})
TOKEN: Option = (("--token",), {"help": "auth token (prefer PUTER_AUTH_TOKEN)"})
PROFILE: Option = (("--profile",), {"help": "use this saved profile"})


def build_parser() -> argparse.ArgumentParser:
    from ..export import FORMATS

    debug = _group((("--debug",), {
        "action": "store_true", "help": "on an unexpected error, print its traceback (else it goes to the error log)"}))
    client = _group(
        ORIGIN, TOKEN, PROFILE,
        (("--demo",), {
            "action": "store_true", "help": "start the built-in demo server on a free loopback port and use it"}),
        (("--demo-generation",), {
            "choices": ("v1", "v2"), "help": "wire generation the demo server speaks (default v2)"}),
        (("--timeout",), {
            "type": seconds, "metavar": "SECONDS",
            "help": "how long to wait for an answer (default 60; a stream may pause 300 s between chunks)"}),
    )
    parser = CommandParser(
        prog="puter-explorer",
        description="Explore and call the Puter driver API. Without a subcommand, opens the terminal UI.",
        epilog=exits.help_epilog(exits.PROGRAM_EXITS),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[client, debug],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, *parents: argparse.ArgumentParser, exit_codes: exits.ExitCodes,
                checks: Sequence[Check] = ()) -> argparse.ArgumentParser:
        """A subcommand whose help lists only the options it uses, and the exit codes it gives."""
        return sub.add_parser(name, help=help_text, description=help_text, parents=[*parents, debug],
                              epilog=exits.help_epilog(exit_codes), checks=checks,
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("demo-server", "run the demo driver server in the foreground", exit_codes=exits.DEMO_SERVER_EXITS)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=port_number, default=0, help="0 picks a free port")
    p.add_argument("--generation", choices=("v1", "v2"), default="v2")
    p.add_argument("--token", "--demo-token", "--fixed-token", dest="fixed_token", default=None, metavar="TOKEN",
                   help="the token the server accepts (default: a random one, printed at start)")

    p = command("interfaces", "show the interfaces, services and methods the server offers (merged with what we know)",
                client, exit_codes=exits.INTERFACES_EXITS)
    p.add_argument("--json", action="store_true", help="print the tree as JSON")
    p.add_argument("--check", action="store_true",
                   help="list what the server offers that the bundled catalogue does not know (exit 1 when it "
                        "offers something new) and what the catalogue has that the server lacks")

    p = command("call", "call a driver method", client, exit_codes=exits.CALL_EXITS)
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

    p = command("login", "log in to a self-hosted Puter with a username and password and save the token",
                exit_codes=exits.LOGIN_EXITS)
    p.add_argument("--gui-origin", required=True, help="the root (GUI) origin, e.g. http://puter.localhost:4100")
    p.add_argument("--username", required=True)
    p.add_argument("--api-origin", help="API origin to save (default: api. + the GUI host)")
    p.add_argument("--save-as", dest="save_as", help="profile name to save (default: the GUI host)")

    p = command("profiles", "list, add, switch or remove saved profiles (tokens are shown masked)",
                _group(ORIGIN, TOKEN), exit_codes=exits.PROFILES_EXITS)
    p.add_argument("action", nargs="?", choices=("list", "add", "use", "remove"), default="list")
    p.add_argument("name", nargs="?")
    p.add_argument("--set-origin", dest="set_origin", help="with add: API origin")
    p.add_argument("--token-stdin", action="store_true", help="with add: read the token from stdin")

    _history_commands(command, debug)

    p = command("show", "show one history entry", exit_codes=exits.READ_ENTRY_EXITS)
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.add_argument("--view", action="store_true", help=VIEW_HELP)

    p = command("replay", "send a past call again (a new entry that records which one it replays)", client,
                exit_codes=exits.REPLAY_EXITS, checks=[_replace_args_needs_args])
    p.add_argument("id", type=int)
    p.add_argument("--args", dest="args_source", default=None,
                   help="args merged over the recorded ones (JSON objects), or JSON, @FILE or -")
    p.add_argument("--replace-args", action="store_true", help="with --args: replace the recorded args whole")
    p.add_argument("-o", "--output", type=Path)
    p.add_argument("--json", action="store_true")
    p.add_argument("--view", action="store_true", help=VIEW_HELP)

    p = command("diff", "JSON-aware diff of two entries: what was sent and what came back (key order ignored); "
                        "exit 1 when they differ", exit_codes=exits.DIFF_EXITS)
    p.add_argument("id1", type=int)
    p.add_argument("id2", type=int)
    p.add_argument("--json", action="store_true", help="print each section's changes as JSON")

    p = command("config", "show where profiles, the keymap, the history, responses and the error log are kept, "
                          "and whether the profiles and keymap files can be read", exit_codes=exits.CONFIG_EXITS)
    p.add_argument("--json", action="store_true", help="print the places as JSON")

    p = command("export", "print a command or snippet that makes the same call", _group(TOKEN, PROFILE),
                exit_codes=exits.EXPORT_EXITS)
    p.add_argument("id", type=int)
    p.add_argument("--as", dest="fmt", choices=FORMATS, default="curl")
    p.add_argument("--with-token", action="store_true",
                   help="put in the token of the server the call was made on (--token, a profile for it, or "
                        "$PUTER_AUTH_TOKEN where $PUTER_API_ORIGIN names that server)")

    from .collections import add_commands as add_collection_commands

    add_collection_commands(command, client)
    return parser


def _listing_options(parser: argparse.ArgumentParser, default: Any) -> None:
    """`history`'s listing options, on `history` (default None) and on `history list` (SUPPRESS, so as not to
    reset what was given before `list`). prune's options are accepted here only to be refused by name
    (`history --keep 1` would otherwise read as an unknown subcommand "1")."""
    from ..protocol.outcomes import OUTCOME_KINDS  # plain data, no HTTP

    listing = parser.add_argument_group("listing")
    listing.add_argument("--limit", type=int, metavar="N", default=default, help="show at most N entries (default 20)")
    listing.add_argument("--json", action="store_true", default=False if default is None else default,
                         help="print the entries as JSON")
    filters = parser.add_argument_group("filters")
    for flag, settings in (
        ("--interface", {}), ("--method", {}), ("--service", {}),
        ("--kind", {"choices": OUTCOME_KINDS + ("pending",)}), ("--error-code", {}),
        ("--since", {"help": "ISO date/time, or a duration like 2h, 3d"}),
        ("--until", {"help": "ISO date/time, or a duration like 2h, 3d"}),
    ):
        filters.add_argument(flag, default=default, **settings)
    filters.add_argument("--search", "-s", dest="text", metavar="TEXT", default=default,
                         help="free text over args and results")
    for flag in ("--older-than", "--keep"):
        parser.add_argument(flag, dest="misplaced_" + flag[2:].replace("-", "_"), default=default,
                            help=argparse.SUPPRESS)


def _history_commands(command: Callable[..., argparse.ArgumentParser], debug: argparse.ArgumentParser) -> None:
    """`history [list]` and `history prune`, a subcommand of its own so that each --help shows only its options."""
    p = command("history", "list past calls, newest first (history prune deletes old ones)",
                exit_codes=exits.HISTORY_EXITS)
    p.usage = ("puter-explorer history [list] [--limit N] [--json] [filters]\n"
               "       puter-explorer history prune [--older-than DAYS] [--keep N]   (at least one)")
    _listing_options(p, None)
    actions = p.add_subparsers(dest="action", title="subcommands", metavar="{list,prune}",
                               prog="puter-explorer history")
    p.set_defaults(action="list")

    def action(name: str, help_text: str, description: str, exit_codes: exits.ExitCodes) -> argparse.ArgumentParser:
        return actions.add_parser(name, help=help_text, description=description, parents=[debug],
                                  epilog=exits.help_epilog(exit_codes),
                                  formatter_class=argparse.RawDescriptionHelpFormatter)

    _listing_options(action("list", "the same as no subcommand", "list past calls, newest first",
                            exits.HISTORY_EXITS), argparse.SUPPRESS)
    prune = action("prune", "delete old entries (its options: history prune --help)",
                   "delete old entries from the history: those older than DAYS, or all but the newest N "
                   "(at least one of the two)", exits.PRUNE_EXITS)
    prune.add_argument("--older-than", type=float, metavar="DAYS", help="delete entries older than this")
    prune.add_argument("--keep", type=int, metavar="N", help="keep only the newest N entries")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The parsed command line, every global option present (with its default when not given)."""
    options = build_parser().parse_args(argv)
    for name, default in GLOBAL_DEFAULTS:
        if not hasattr(options, name):
            setattr(options, name, default)
    return options
