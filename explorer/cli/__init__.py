"""The `puter-explorer` command: the TUI when no subcommand is given, else a headless subcommand.

stdout carries only the result (pretty JSON, or a saved file's path); everything else goes to stderr.
`main` maps what ends a command to its exit code: `UsageError` (found before anything was sent) is 2,
any other error 3, with one line on stderr and its traceback in the error log.

Only the standard library is imported here and by the modules `main` loads first: the TUI's first frame
waits for them. Each command imports what it needs (HTTP, the history, the demo server) when it runs.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Callable, Sequence

from .errorlog import report_unexpected
from .exits import (
    EXIT_DRIVER_ERROR,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
    Terminated,
    UsageError,
)
from .messages import remember_secret, say
from .runner import on_sigterm, raise_terminated

__all__ = [
    "EXIT_DRIVER_ERROR", "EXIT_FAILURE", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_TERMINATED", "EXIT_USAGE",
    "UsageError", "main",
]

# Subcommand -> (module of this package, function); a module is imported only when its command runs.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo-server": ("profiles", "cmd_demo_server"),
    "interfaces": ("calls", "cmd_interfaces"),
    "call": ("calls", "cmd_call"),
    "replay": ("calls", "cmd_replay"),
    "login": ("profiles", "cmd_login"),
    "profiles": ("profiles", "cmd_profiles"),
    "history": ("history", "cmd_history"),
    "show": ("history", "cmd_show"),
    "diff": ("history", "cmd_diff"),
    "export": ("history", "cmd_export"),
    "config": ("locations", "cmd_config"),
    "run": ("collections", "cmd_run"),
    "save": ("collections", "cmd_save"),
    "import": ("collections", "cmd_import"),
}
WITHOUT_COMMAND = ("tui_launch", "run_tui")


def command_function(command: str | None) -> Callable[..., int]:
    module, name = COMMANDS.get(command or "", WITHOUT_COMMAND)
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def main(argv: Sequence[str] | None = None) -> int:
    from .parser import parse

    options = parse(argv)
    remember_secret(options.token)
    previous = on_sigterm(raise_terminated)
    try:
        return command_function(options.command)(options)
    except UsageError as exc:
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
        on_sigterm(previous)
