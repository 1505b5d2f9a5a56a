"""What to do when the server turns the token away: one hint line for an HTTP 401 or 403.

A call's outcome carries its status; discovery keeps only its messages, which say "HTTP <status>"
(`protocol.interpret.discovery_problem`). The hint names where the token comes from, never the token.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from .messages import say

if TYPE_CHECKING:
    from ..protocol.outcomes import Outcome

REFUSED_TOKEN = (
    "hint: the server refused the token: check PUTER_AUTH_TOKEN or your profile (`puter-explorer profiles`), "
    "or log in again (`puter-explorer login ...`)"
)
NOT_ALLOWED = (
    "hint: the server took the token but does not allow this: check the account's permissions, or use a profile "
    "whose account may (`puter-explorer profiles`)"
)
NO_TOKEN = (
    "hint: the server wants a token and none was sent: give --token, keep one for this server "
    "(`puter-explorer profiles add`), or set PUTER_AUTH_TOKEN with PUTER_API_ORIGIN naming this server"
)
HINTS = {401: REFUSED_TOKEN, 403: NOT_ALLOWED}

_DISCOVERY_STATUS = re.compile(r": HTTP (\d{3})\b")


def outcome_status(outcome: Outcome) -> int | None:
    """401 or 403 when the outcome is a refusal of either kind (a v1 envelope says it in `nominal_status`)."""
    from ..protocol.outcomes import DriverError, Failure

    if isinstance(outcome, DriverError):
        return next((s for s in (outcome.status, outcome.nominal_status) if s in HINTS), None)
    if isinstance(outcome, Failure) and outcome.exchange.status in HINTS:
        return outcome.exchange.status
    return None


def discovery_status(errors: Iterable[str]) -> int | None:
    """401 or 403 when a discovery request was refused so (401 first: without a token nothing else matters)."""
    found = {int(m.group(1)) for error in errors for m in _DISCOVERY_STATUS.finditer(error)}
    return next((status for status in HINTS if status in found), None)


def hint_for(status: int | None, *, sent_token: bool = True) -> None:
    """The hint for a refused call, on stderr; nothing for any other status."""
    if status == 401 and not sent_token:
        say(NO_TOKEN)
    elif status in HINTS:
        say(HINTS[status])


def sent_token(outcome: Outcome) -> bool:
    """Whether the call carried a token (its recorded headers say so, redacted)."""
    return any(name.lower() == "authorization" for name in outcome.exchange.request_headers)
