"""What each command's --help says about how it ends: its exit codes, read off what the command returns
(`main` adds 2 for a `UsageError`, 3 for any other error, 130 and 143 for ctrl+c and SIGTERM), and the
environment variables."""

from __future__ import annotations

ENVIRONMENT_HELP = """\
environment:
  PUTER_API_ORIGIN   API origin (default https://api.puter.com; self-hosted: http://api.puter.localhost:4100)
  PUTER_AUTH_TOKEN   auth token (never printed)
  PUTER_EXPLORER_HOME  keep config and data under this folder instead of the user folders
"""

# (code, meaning) pairs; a meaning's further lines are indented under its first.
ExitCodes = tuple[tuple[str, str], ...]
UNEXPECTED = "an unexpected error (--debug shows its traceback)"
HISTORY_UNREADABLE = ("3", f"the history could not be read, or {UNEXPECTED}")
STOPPED = ("130, 143", "interrupted (ctrl+c) or terminated (SIGTERM)")
CALL_EXITS: ExitCodes = (
    ("0", "the call gave a result (JSON, binary or stream)"),
    ("1", "the server answered with a driver error"),
    ("2", "bad usage or invalid args (nothing was sent)"),
    ("3", "transport or server failure (no connection, timeout, garbage, HTTP error without an envelope),\n"
          f"or {UNEXPECTED}"),
    ("130, 143", "interrupted (ctrl+c) or terminated (SIGTERM); a call in flight is recorded as such"),
)
REPLAY_EXITS: ExitCodes = (
    *CALL_EXITS[:2], ("2", "bad usage, invalid args, or no such history entry (nothing was sent)"), *CALL_EXITS[3:],
)
PROGRAM_EXITS: ExitCodes = (
    ("0", "success"),
    ("1", "a driver error (call, replay), a difference (diff, interfaces --check), a failed expectation (run)"),
    ("2", "bad usage or invalid input (nothing was sent)"),
    ("3", f"transport or server failure, or {UNEXPECTED}"),
    STOPPED,
)
HISTORY_EXITS: ExitCodes = (
    ("0", "the entries were listed (also when none match: stderr says so)"),
    ("2", "bad usage: a bad --since or --until, prune's options anywhere but after prune,\n"
          "no history yet, or a history file this program cannot open"),
    HISTORY_UNREADABLE, STOPPED,
)
PRUNE_EXITS: ExitCodes = (
    ("0", "the entries were removed (stderr says how many)"),
    ("2", "bad usage: neither --older-than nor --keep, another option, no history yet,\n"
          "or a history file this program cannot open"),
    HISTORY_UNREADABLE, STOPPED,
)
DIFF_EXITS: ExitCodes = (
    ("0", "the two calls are the same (what was sent and what came back)"),
    ("1", "they differ, as diff(1) says"),
    ("2", "bad usage: no such history entry, no history yet, or a history file this program cannot open"),
    HISTORY_UNREADABLE, STOPPED,
)
READ_ENTRY_EXITS: ExitCodes = (
    ("0", "done"),
    ("2", "bad usage: no such history entry, no history yet, or a history file this program cannot open"),
    HISTORY_UNREADABLE, STOPPED,
)
EXPORT_EXITS: ExitCodes = (
    ("0", "the command or snippet was printed"),
    ("2", "bad usage: no such history entry, no history yet, an unknown --profile,\n"
          "or --with-token when no token is known for the entry's origin"),
    HISTORY_UNREADABLE, STOPPED,
)
DEMO_SERVER_EXITS: ExitCodes = (
    ("0", "stopped with ctrl+c"),
    ("2", "bad usage (e.g. a port outside 0-65535)"),
    ("3", f"the server could not start (the port is taken, the host cannot be bound),\nor {UNEXPECTED}"),
    ("143", "terminated (SIGTERM)"),
)
INTERFACES_EXITS: ExitCodes = (
    ("0", "the tree was printed (with --check: the server offers nothing the catalogue does not know)"),
    ("1", "with --check: the server offers something the bundled catalogue does not know"),
    ("2", "bad usage: a bad origin or an unknown or unreadable profile (nothing was sent)"),
    ("3", f"the server could not be asked what it offers, or {UNEXPECTED}"),
    STOPPED,
)
LOGIN_EXITS: ExitCodes = (
    ("0", "logged in; the API origin accepts the token; the profile is saved"),
    ("2", "bad usage: a bad origin, no user name or password, an unreadable profiles file (nothing was sent)"),
    ("3", f"the login or the token check failed (refused, no answer),\nor {UNEXPECTED}"),
    STOPPED,
)
PROFILES_EXITS: ExitCodes = (
    ("0", "done"),
    ("2", "bad usage: no such profile, no NAME, a bad origin, or an unreadable profiles file"),
    ("3", UNEXPECTED), STOPPED,
)
CONFIG_EXITS: ExitCodes = (
    ("0", "every file that is there can be used"),
    ("2", "the profiles or the keymap file cannot be used (stderr says why)"),
    ("3", UNEXPECTED), STOPPED,
)
RUN_EXITS: ExitCodes = (
    ("0", "every expectation holds"),
    ("1", "an expectation fails, or --against finds a difference"),
    ("2", "a file does not parse (the others still run), or bad usage"),
    ("3", f"the server cannot be reached, or {UNEXPECTED}"),
    STOPPED,
)
SAVE_EXITS: ExitCodes = (
    ("0", "the file was written (its path on stdout)"),
    ("2", "bad usage: no such history entry, a pending entry, a file that exists (without --force),\n"
          "or a file that cannot be written"),
    HISTORY_UNREADABLE, STOPPED,
)
IMPORT_EXITS: ExitCodes = (
    ("0", "the call file was written (to stdout, or its path on stdout)"),
    ("2", "bad usage: a source that cannot be read or understood, or a file that exists (without --force)"),
    ("3", UNEXPECTED), STOPPED,
)


def help_epilog(exits: ExitCodes) -> str:
    width = max(len(code) for code, _ in exits)
    rows = [f"  {code:<{width}}  " + meaning.replace("\n", "\n" + " " * (width + 4)) for code, meaning in exits]
    return "exit codes:\n" + "\n".join(rows) + "\n\n" + ENVIRONMENT_HELP
