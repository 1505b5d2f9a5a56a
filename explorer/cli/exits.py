"""Exit codes, and the exceptions that choose one: bad usage (2) and termination (143).

Exit 2 says "nothing was sent": only `UsageError` gives it, raised where input is checked, before a request
leaves. Any other error is exit 3, before or after a request left; ctrl+c and SIGTERM are 130 and 143.
"""

from __future__ import annotations

EXIT_OK, EXIT_DRIVER_ERROR, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM, as shells report them


class UsageError(Exception):
    """Bad usage or invalid input, found before anything was sent: exit 2."""


class Terminated(BaseException):
    """SIGTERM arrived: like KeyboardInterrupt, not an error that ordinary handlers should catch."""
