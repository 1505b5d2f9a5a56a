"""The top bar: which server, which generation, which profile, and how many calls are in flight."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from ...terminal_text import safe_text


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $text;
    }
    """
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
        """The long form when it fits; else shorter labels, then the least useful parts dropped."""
        width = self.size.width or 120
        for form in ("long", "short", "tight"):
            text = self._line(form)
            if text.cell_len <= width:
                return text
        text.truncate(width, overflow="ellipsis")
        return text

    def _line(self, form: str) -> Text:
        long = form == "long"
        text = Text()
        if long:  # shorter forms leave the name out (the terminal's title has it) rather than cut it
            text.append(" puter-explorer ", style="bold reverse")
            text.append("  ")
        else:
            text.append(" ")
        text.append_text(safe_text(self.origin or "(not connected)", "bold", single_line=True))
        text.append("  generation: " if long else " ")
        if self.discovering:
            text.append("discovering…", style="italic")
        else:
            text.append(self.generation or "unknown", style="bold green" if self.generation else "bold yellow")
        if form != "tight":
            text.append("  profile: " if long else " profile ")
            text.append_text(safe_text(self.profile or "-", "bold", single_line=True))
        text.append("  in flight: " if long else " in flight ")
        text.append(str(self.in_flight), style="bold yellow" if self.in_flight else "bold")
        if self.history_off:
            text.append("  history off" if long else " no history", style="bold red")
        return text
