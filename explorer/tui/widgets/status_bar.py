"""The top bar: which server, which generation, which profile, and how many calls are in flight."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from ..safe import safe_text


class StatusBar(Static):
    HELP = """\
## Status bar
Shows the API origin, the server generation detected during discovery (v1, v2 or unknown),
the profile in use and how many calls are in flight; `history off` when calls cannot be recorded.
"""

    origin: reactive[str] = reactive("")
    generation: reactive[str | None] = reactive(None)
    profile: reactive[str] = reactive("")
    in_flight: reactive[int] = reactive(0)
    discovering: reactive[bool] = reactive(True)
    history_off: reactive[bool] = reactive(False)  # calls are made but not recorded

    def render(self) -> Text:
        text = Text()
        text.append(" puter-explorer ", style="bold reverse")
        text.append("  ")
        text.append_text(safe_text(self.origin or "(not connected)", "bold", single_line=True))
        text.append("  generation: ")
        if self.discovering:
            text.append("discovering…", style="italic")
        else:
            text.append(self.generation or "unknown", style="bold green" if self.generation else "bold yellow")
        text.append("  profile: ")
        text.append_text(safe_text(self.profile or "-", "bold", single_line=True))
        text.append("  in flight: ")
        text.append(str(self.in_flight), style="bold yellow" if self.in_flight else "bold")
        if self.history_off:
            text.append("  history off", style="bold red")
        return text
