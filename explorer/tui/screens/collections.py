"""The collections screen: the call files of a folder, run one or all against the connected server.

Each file shows its last verdict (✓ passed, ✗ failed, ! errored, – skipped, · not run yet) and, under the
list, why it did not pass. Enter opens the file's call in the args editor; every run is a history entry.
The files are read, and the calls made, in workers: the screen only draws what they report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from ...terminal_text import safe_text

if TYPE_CHECKING:
    from ...collection.files import CallFile, FileProblem
    from ...collection.run import FileResult
    from ..seams import ExplorerSession

DEFAULT_FOLDER = "collections"
MARKS = {None: ("·", "dim"), "passed": ("✓", "green"), "failed": ("✗", "bold red"), "errored": ("!", "bold red"),
         "skipped": ("–", "yellow")}


def file_row(name: str, status: str | None, running: bool = False) -> Text:
    mark, style = ("…", "cyan") if running else MARKS[status]
    text = Text(f"{mark} ", style=style)
    text.append_text(safe_text(name, single_line=True))
    return text


class CollectionScreen(Screen["CallFile | None"]):
    """Dismissed with the call file to open in the editor, or None."""

    DEFAULT_CSS = """
    CollectionScreen #collection-title { height: 1; padding: 0 1; }
    CollectionScreen #collection-folder { height: 3; }
    CollectionScreen #collection-status { height: 1; padding: 0 1; }
    CollectionScreen #collection-files { height: 1fr; border: round $primary; }
    CollectionScreen #collection-files:focus { border: round $accent; }
    CollectionScreen #collection-detail { height: auto; max-height: 12; padding: 0 1; }
    """
    BINDINGS = [
        Binding("r", "run_selected", "Run file", show=True),
        Binding("a", "run_all", "Run all", show=True),
        Binding("escape", "back", "Back", show=True),
    ]
    HELP = """\
## Collections
Call files (*.yaml) of a folder, in name order. Type a folder above and press Enter to read it.

- **Enter** on a file opens its call in the args editor.
- **r** runs the highlighted file, **a** runs them all, in order (captures pass from one to the next).
- ✓ passed, ✗ failed, ! errored (the file cannot be run: why, and its line, show below), – skipped.
"""

    def __init__(self, session: ExplorerSession | None, folder: str = DEFAULT_FOLDER) -> None:
        super().__init__()
        self.session = session
        self.folder = folder
        self.items: list[CallFile | FileProblem] = []
        self.results: dict[Path, FileResult] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Collections: the call files of a folder (type it, Enter reads it)", style="bold"),
                         id="collection-title")
            yield Input(self.folder, placeholder="a folder of call files", id="collection-folder")
            yield Static("", id="collection-status")
            yield OptionList(id="collection-files")
            yield Static("", id="collection-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.load(self.folder)

    @on(Input.Submitted, "#collection-folder")
    def _folder_chosen(self, event: Input.Submitted) -> None:
        self.load(event.value.strip() or DEFAULT_FOLDER)

    # -- reading ------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="collection-read", exit_on_error=False, description="read call files")
    def load(self, folder: str) -> None:
        from ...collection.run import load_all

        path = Path(folder).expanduser()
        items = load_all([path]) if path.is_dir() else []
        self.app.call_from_thread(self._loaded, folder, path, items)

    def _loaded(self, folder: str, path: Path, items: list[CallFile | FileProblem]) -> None:
        self.folder, self.items, self.results = folder, items, {}
        listing = self.query_one("#collection-files", OptionList)
        listing.clear_options()
        listing.add_options([Option(file_row(_name(item), None), id=str(index)) for index, item in enumerate(items)])
        if not path.is_dir():
            self._status(f"{path} is not a folder: type the folder of your call files above", "yellow")
        elif not items:
            self._status(f"no call files (*.yaml) in {path}", "yellow")
        else:
            self._status(f"{len(items)} call files in {path}", "")
            listing.highlighted = 0
            listing.focus()

    def _status(self, message: str, style: str) -> None:
        self.query_one("#collection-status", Static).update(safe_text(message, style, single_line=True))

    # -- choosing -----------------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#collection-files")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_detail(int(event.option.id or 0))

    @on(OptionList.OptionSelected, "#collection-files")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        from ...collection.files import FileProblem

        item = self.items[int(event.option.id or 0)]
        if isinstance(item, FileProblem):
            self.notify(str(item), title="Cannot open", severity="error", markup=False)
            return
        self.dismiss(item)

    def _show_detail(self, index: int) -> None:
        from ...collection.files import FileProblem
        from ...collection.report import line

        item = self.items[index]
        result = self.results.get(item.path)
        detail = self.query_one("#collection-detail", Static)
        if isinstance(item, FileProblem):
            detail.update(safe_text(str(item), "red"))
        elif result is not None:
            detail.update(safe_text(line(result), "" if result.status == "passed" else "red"))
        else:
            detail.update(safe_text(f"{item.interface}.{item.method}  {json.dumps(item.args, ensure_ascii=False)[:200]}",
                                    "dim"))

    def action_back(self) -> None:
        self.dismiss(None)

    # -- running ------------------------------------------------------------------------------------

    def action_run_selected(self) -> None:
        index = self.query_one("#collection-files", OptionList).highlighted
        if index is not None and self.items:
            self.run_files([self.items[index]])

    def action_run_all(self) -> None:
        if self.items:
            self.run_files(list(self.items))

    @work(exclusive=True, group="collection-run", exit_on_error=False, description="run call files")
    async def run_files(self, items: list[Any]) -> None:
        from ...collection.report import counts
        from ...collection.run import RunOptions, run

        if self.session is None:
            self.notify("not connected yet", severity="warning")
            return
        listing = self.query_one("#collection-files", OptionList)
        done = 0
        for item in items:
            listing.replace_option_prompt(str(self.items.index(item)), file_row(_name(item), None, running=True))
        self._status(f"running 0/{len(items)}", "cyan")

        def reported(result: FileResult) -> None:
            nonlocal done
            done += 1
            self.results[result.path] = result
            index = next(i for i, item in enumerate(self.items) if item.path == result.path)
            listing.replace_option_prompt(str(index), file_row(result.name, result.status))
            self._status(f"running {done}/{len(items)}", "cyan")
            if listing.highlighted == index:
                self._show_detail(index)

        results = await run(items, self.session.call, options=RunOptions(), on_result=reported)
        failed = any(r.status != "passed" for r in results)
        self._status(", ".join(f"{n} {status}" for status, n in counts(results).items()), "red" if failed else "green")


def _name(item: Any) -> str:
    return item.name if hasattr(item, "name") else item.path.stem
