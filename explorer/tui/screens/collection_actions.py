"""The main screen's way into collections: open the collections screen, save a call into a collection."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...terminal_text import clean

if TYPE_CHECKING:
    from ...collection.files import CallFile
    from .main import MainScreen


def open_collections(screen: MainScreen) -> None:
    """The collections screen; a file chosen there opens in the args editor."""
    from ..widgets.catalog_tree import MethodRef
    from .collections import CollectionScreen

    def opened(file: CallFile | None) -> None:
        if file is None:
            return
        if screen.catalog is not None and screen.catalog.method(file.interface, file.method) is None:
            screen.catalog.add_user_method(file.interface, file.method, file.service)
            screen.catalog_panel.rebuild()
        screen.open_method(MethodRef(file.interface, file.method, file.service), args=file.args,
                           test_mode=file.test_mode)

    screen.app.push_screen(CollectionScreen(screen.session), opened)


def call_to_save(screen: MainScreen) -> dict[str, Any] | None:
    """The selected history call when the history has the focus (expecting what it gave), else the editor's."""
    selected = screen.history.selected
    if screen.history.has_focus_within and selected is not None:
        expect = {"kind": selected.kind} if selected.kind != "pending" else {}
        return {"name": f"{selected.interface} {selected.method}", "interface": selected.interface,
                "service": selected.service, "method": selected.method,
                "test_mode": True if selected.test_mode else None, "args": selected.args, "expect": expect}
    request = screen.editor_request("Not saved")
    if request is None:
        return None
    return {"name": f"{request.interface} {request.method}", "interface": request.interface,
            "service": request.service, "method": request.method,
            "test_mode": True if request.test_mode else None, "args": request.args, "expect": {"kind": "result"}}


def save_call(screen: MainScreen) -> None:
    from .save_call import SaveCallScreen

    call = call_to_save(screen)
    if call is None:
        return

    def saved(path: Path | None) -> None:
        if path is not None:
            screen.notify(clean(f"saved as {path}"), title="Collection", markup=False)

    screen.app.push_screen(SaveCallScreen(call), saved)
