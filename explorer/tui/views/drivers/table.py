"""Lists and objects as a table: `puter-kvstore.list` / `get`, `puter-apps.select`, `puter-notifications.select`.

A list of objects gets one column per field, an object one row per key. Press a column header (or **s** on
a column) to sort by it, again to reverse; **c** copies the whole value of the cell under the cursor.
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

from ...calls import Call
from ...safe import clean
from .base import DriverView, compact_json, has_json_result, result_value

TABLE_METHODS = {
    ("puter-kvstore", "list"),
    ("puter-kvstore", "get"),
    ("puter-apps", "select"),
    ("puter-apps", "read"),
    ("puter-notifications", "select"),
    ("puter-notifications", "read"),
}
MAX_ROWS = 2000  # rows shown at most: the table measures every cell on the event loop (the Result tab has all)
MAX_COLUMNS = 40
CELL_CHARS = 40  # characters of a value shown in a cell; `c` copies all of it
COPY_LIMIT = 1024 * 1024
_MISSING = object()  # a field this row does not have (unlike a null)


class Cell(Text):
    """A cell as shown, and the order it sorts in: numbers by value, then text, then nulls, then missing."""

    order: tuple[Any, ...] = (3, 0.0, "")


def cell(value: Any) -> Cell:
    if value is _MISSING:
        made = Cell("", style="dim")
        made.order = (3, 0.0, "")
    elif value is None:
        made = Cell("null", style="dim italic")
        made.order = (2, 0.0, "")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        made = Cell(compact_json(value, CELL_CHARS), style="magenta")
        made.order = (0, float(value), "")
    else:
        shown = compact_json(value, CELL_CHARS)
        made = Cell(shown, style="" if isinstance(value, str) else "cyan")
        made.order = (1, 0.0, (value if isinstance(value, str) else shown).lower())
    return made


@dataclass
class TableData:
    columns: list[str]
    rows: list[list[Any]]  # the values (or _MISSING), for copying
    cells: list[list[Cell]]
    note: str = ""


def table_of(value: Any) -> TableData:
    """The table a JSON result makes: one column per field of a list of objects, or key/value pairs."""
    notes = []
    if isinstance(value, dict) and isinstance(value.get("items"), list):  # a page of a paged kv list
        for name in ("total", "cursor"):
            if name in value:
                notes.append(f"{name}: {compact_json(value[name], 60)}")
        value = value["items"]
    if isinstance(value, dict):
        columns = ["key", "value"]
        rows = [[key, item] for key, item in value.items()]
    elif isinstance(value, list):
        columns = []
        seen: set[str] = set()
        for item in value[:MAX_ROWS]:
            for key in item if isinstance(item, dict) else ("value",):
                if key not in seen and len(columns) < MAX_COLUMNS:
                    seen.add(key)
                    columns.append(key)
        rows = [
            [item.get(key, _MISSING) for key in columns] if isinstance(item, dict)
            else [item if key == "value" else _MISSING for key in columns]
            for item in value
        ]
        if len(seen) >= MAX_COLUMNS:
            notes.append(f"the first {MAX_COLUMNS} fields are columns")
    else:
        columns, rows = ["value"], [[value]]
    total = len(rows)
    if total > MAX_ROWS:
        rows = rows[:MAX_ROWS]
        notes.insert(0, f"the first {MAX_ROWS} of {total} rows (the Result tab has all)")
    summary = f"{total} row{'s' if total != 1 else ''}"
    note = " · ".join([summary, *notes])
    return TableData(columns, rows, [[cell(v) for v in row] for row in rows], note)


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
        return (call.interface, call.method) in TABLE_METHODS and has_json_result(call, "{[")

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
        data = table_of(value) if ok else TableData([], [], [], "no JSON result to show")
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
        """The value under the cursor, whole (or _MISSING)."""
        table = self.table
        if self.data is None or not table.row_count:
            return _MISSING
        row_key, column_key = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.data.rows[int(str(row_key.value)[1:])][int(str(column_key.value)[1:])]

    def action_copy_cell(self) -> None:
        value = self.cell_value()
        if value is _MISSING:
            self.notify("no value in this cell", severity="warning")
            return
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        if len(text) > COPY_LIMIT:
            self.notify(f"the value has {len(text)} characters: too long to copy (the Result tab has it)",
                        severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(text)
        self.notify(f"copied the cell ({len(text)} characters), where the terminal allows it", markup=False)
