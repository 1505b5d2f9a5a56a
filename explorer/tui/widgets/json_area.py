"""The args editor's text area: JSON with highlighting and line numbers, where Tab moves the focus on (so the
keyboard never gets stuck in it) and Enter keeps the indentation, two spaces deeper after `{` or `[`."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

INDENT = "  "  # as the editor's JSON is written (json.dumps(indent=2))


def next_line_indent(before_cursor: str) -> str:
    """The indentation of a new line started after `before_cursor` (the text of its line up to the cursor)."""
    indent = before_cursor[: len(before_cursor) - len(before_cursor.lstrip(" \t"))]
    return indent + INDENT if before_cursor.rstrip().endswith(("{", "[")) else indent


class JsonArea(TextArea):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            "", language="json", theme="monokai", soft_wrap=False, tab_behavior="focus", show_line_numbers=True,
            id=id,
        )

    async def _on_key(self, event: events.Key) -> None:
        # TextArea's Enter inserts a bare newline: this one carries the indentation on (one undoable edit).
        if event.key != "enter" or self.read_only:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        start, end = sorted(self.selection)
        row, column = start
        indent = next_line_indent(self.document[row][:column])
        self.replace("\n" + indent, start, end, maintain_selection_offset=False)
