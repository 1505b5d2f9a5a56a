"""A dialog to pick a model name: the server's list (and the models known without asking), filtered as you type.

It opens at once with what is already known; the args editor gives it the server's list with `set_models`
when that arrives. Enter picks the highlighted name, or takes the typed one when nothing matches.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...model_lists import ModelChoice
from ...terminal_text import safe_text


class ModelPicker(ModalScreen["str | None"]):
    """A filterable list of model names; Enter picks (the typed name when nothing matches), Escape closes."""

    DEFAULT_CSS = """
    ModelPicker {
        align: center middle;
    }
    #model-dialog {
        width: 72;
        max-width: 100%;
        height: 80%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    #model-title, #model-note {
        height: auto;
    }
    #model-list {
        height: 1fr;
    }
    """
    BINDINGS = [Binding("escape", "close", "Close"), Binding("down", "focus_list", show=False)]

    def __init__(self, title: str, choices: list[ModelChoice], *, fetching: bool, note: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.fetching = fetching
        self.note = note
        self._shown: list[ModelChoice] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="model-dialog"):
            yield Static(safe_text(self.title_text, "bold", single_line=True), id="model-title")
            yield Input(placeholder="filter; Enter picks (or takes the name as typed)", id="model-filter")
            yield OptionList(id="model-list")
            yield Static(id="model-note")

    def on_mount(self) -> None:
        self._show_choices()
        self.query_one("#model-filter", Input).focus()

    def set_models(self, choices: list[ModelChoice], note: str | None) -> None:
        """The list read from the server (or what is known, and `note` saying why that is all)."""
        self.choices, self.fetching, self.note = list(choices), False, note
        if self.is_mounted:
            self._show_choices()

    @property
    def shown(self) -> list[str]:
        return [c.name for c in self._shown]

    def _show_choices(self) -> None:
        needle = self.query_one("#model-filter", Input).value.strip().lower()
        matching = [c for c in self.choices if needle in c.name.lower() or needle in c.detail.lower()]
        matching.sort(key=lambda c: not c.name.lower().startswith(needle))  # stable: prefixes first
        self._shown = matching
        options = self.query_one("#model-list", OptionList)
        options.set_options(Option(choice_text(c), id=f"m{i}") for i, c in enumerate(matching))
        if matching:
            options.highlighted = 0
        status = "reading the server's models…" if self.fetching else f"{len(matching)} of {len(self.choices)} models"
        text = Text(status, style="dim")
        if self.note:
            text.append("\n")
            text.append_text(safe_text(self.note, "yellow"))
        self.query_one("#model-note", Static).update(text)

    @on(Input.Changed, "#model-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._show_choices()

    @on(Input.Submitted, "#model-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        options = self.query_one("#model-list", OptionList)
        if self._shown and options.highlighted is not None:
            self.dismiss(self._shown[options.highlighted].name)
        elif event.value.strip():
            self.dismiss(event.value.strip())

    @on(OptionList.OptionSelected, "#model-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._shown[event.option_index].name)

    def action_focus_list(self) -> None:
        self.query_one("#model-list", OptionList).focus()

    def action_close(self) -> None:
        self.dismiss(None)


def choice_text(choice: ModelChoice) -> Text:
    """One row: the name, its provider, and whether it came from the server."""
    text = safe_text(choice.name, single_line=True)
    if choice.detail:
        text.append("  ")
        text.append_text(safe_text(choice.detail, "dim", single_line=True))
    if choice.source != "server":
        text.append("  (known without asking the server)", style="dim italic")
    return text
