"""Lists and objects as a table: `puter-kvstore.list` / `get`, `puter-apps.select`, `puter-notifications.select`.

The rows and columns come from `explorer.driver_views.table`, which the CLI's `--view` prints too.
Press a column header (or **s** on a column) to sort by it, again to reverse; **c** copies the whole
value of the cell under the cursor.
Cells are built in a thread, as `Text` (a DataTable would read a plain string as markup).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from ....driver_views.table import MISSING, cell_kind, cell_text, fits, sort_order, table_of
from ...calls import Call
from ....terminal_text import clean
from .base import DriverView, result_value

COPY_LIMIT = 1024 * 1024


class Cell(Text):
    """A cell as shown, and the order it sorts in."""

    order: tuple[Any, ...] = (3, 0.0, "")


CELL_STYLES = {"missing": "dim", "null": "dim italic", "number": "magenta", "text": "", "json": "cyan"}


def cell(value: Any) -> Cell:
    made = Cell(cell_text(value), style=CELL_STYLES[cell_kind(value)])
    made.order = sort_order(value)
    return made


@dataclass
class TableData:
    columns: list[str]
    rows: list[list[Any]]  # the values (or MISSING), for copying
    cells: list[list[Cell]]
    note: str = ""


def table_data(value: Any) -> TableData:
    table = table_of(value)
    note = table.note + (" (the Result tab has all)" if table.total > len(table.rows) else "")
    return TableData(table.columns, table.rows, [[cell(v) for v in row] for row in table.rows], note)


class TableView(DriverView):
    DEFAULT_CSS = """
    TableView #table-note {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    TableView DataTable {
        height: 1fr;
    }
    """
    BINDINGS = [
        Binding("c", "copy_cell", "Copy cell"),
        Binding("s", "sort_column", "Sort"),
    ]

    def __init__(self, call: Call) -> None:
        super().__init__(call)
        self.data: TableData | None = None
        self.sorted_by: tuple[str, bool] | None = None  # (column key, reversed)

    @classmethod
    def matches(cls, call: Call) -> bool:
        return fits(call)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("building the table…", style="dim"), id="table-note")
            yield DataTable(id="driver-table", zebra_stripes=True)

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def refresh_view(self) -> None:
        self._build(self.call)

    @work(thread=True, exclusive=True, group="table-view", exit_on_error=False, description="build the table")
    def _build(self, call: Call) -> None:
        ok, value = result_value(call)
        data = table_data(value) if ok else TableData([], [], [], "no JSON result to show")
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._apply, data)

    def _apply(self, data: TableData) -> None:
        if not self.alive():
            return
        self.data = data
        self.sorted_by = None
        self.query_one("#table-note", Static).update(Text(clean(data.note)))
        table = self.table
        table.clear(columns=True)
        for index, name in enumerate(data.columns):
            table.add_column(Text(clean(name, single_line=True), style="bold"), key=f"c{index}")
        for index, cells in enumerate(data.cells):  # the key says where the row's values are, sorted or not
            table.add_row(*cells, key=f"r{index}")

    # -- sort and copy -------------------------------------------------------------------------

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    def action_sort_column(self) -> None:
        table = self.table
        if table.columns and table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).column_key
            self.sort_by(str(key.value))

    def sort_by(self, column: str) -> None:
        reverse = self.sorted_by == (column, False)
        self.table.sort(column, key=lambda shown: shown.order, reverse=reverse)
        self.sorted_by = (column, reverse)
        self._mark_sorted()

    def _mark_sorted(self) -> None:
        if self.data is None:
            return
        for index, name in enumerate(self.data.columns):
            key = f"c{index}"
            label = Text(clean(name, single_line=True), style="bold")
            if self.sorted_by and self.sorted_by[0] == key:
                label.append(" ▼" if self.sorted_by[1] else " ▲")
            self.table.columns[key].label = label  # type: ignore[index]
        self.table.refresh()

    def cell_value(self) -> Any:
        """The value under the cursor, whole (or MISSING)."""
        table = self.table
        if self.data is None or not table.row_count:
            return MISSING
        row_key, column_key = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.data.rows[int(str(row_key.value)[1:])][int(str(column_key.value)[1:])]

    def action_copy_cell(self) -> None:
        value = self.cell_value()
        if value is MISSING:
            self.notify("no value in this cell", severity="warning")
            return
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        if len(text) > COPY_LIMIT:
            self.notify(f"the value has {len(text)} characters: too long to copy (the Result tab has it)",
                        severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(text)
        self.notify(f"copied the cell ({len(text)} characters), where the terminal allows it", markup=False)
