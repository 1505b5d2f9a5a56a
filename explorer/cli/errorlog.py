"""An unexpected error: one line on stderr, its traceback (tokens redacted) in a private error log."""

from __future__ import annotations

import os
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path

from .messages import redact, say

ERROR_LOG_LIMIT = 1024 * 1024  # the error log starts over beyond this size


def report_unexpected(exc: BaseException, *, debug: bool) -> None:
    """One line on stderr; the traceback on stderr with --debug, else in the error log."""
    from ..terminal_text import clean

    if isinstance(exc, OSError) and exc.strerror:
        what = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    else:
        what = type(exc).__name__ + (f": {exc}" if str(exc) else "")
    say("error: " + " ".join(what.split()))
    trace = redact("".join(traceback.format_exception(exc)))
    if debug:
        sys.stderr.write(clean(trace))
        sys.stderr.flush()
        return
    logged = write_error_log(trace)
    say("rerun with --debug to see the traceback" + (f" (also saved in {logged})" if logged else ""))


def write_error_log(trace: str) -> Path | None:
    """Append a traceback to the error log (0600); None when it cannot be written."""
    from .. import paths

    path = paths.error_log_path()
    try:
        paths.private_dir(path.parent)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        if path.is_file() and path.stat().st_size > ERROR_LOG_LIMIT:
            flags |= os.O_TRUNC
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as log:
            os.chmod(path, 0o600)  # a file made earlier by other means; by path, as Windows has no fchmod
            log.write(f"--- {datetime.now(timezone.utc).isoformat(timespec='seconds')} {paths.APP_NAME}\n")
            log.write(trace)
        return path
    except OSError:
        return None
