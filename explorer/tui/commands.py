"""Command palette: every method of the catalogue as `interface.method (service)`, and a few actions."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from .matching import match_score
from ..terminal_text import clean
from .widgets.catalog_tree import MethodRef

if TYPE_CHECKING:
    from .app import ExplorerApp


def _highlighted(candidate: str, offsets: tuple[int, ...]) -> Content:
    # Content(...) is literal text; Matcher.highlight would parse the candidate as markup.
    content = Content(candidate)
    for offset in offsets:
        content = content.stylize("bold reverse", offset, offset + 1)
    return content


class MethodCommands(Provider):
    """Open any method of the catalogue."""

    def _methods(self) -> list[tuple[str, MethodRef]]:
        app: ExplorerApp = self.app  # type: ignore[assignment]
        catalog = app.catalog
        if catalog is None:
            return []
        found = []
        for iface, method in catalog.iter_methods():
            service = iface.preferred_service
            label = clean(f"{iface.name}.{method.name}" + (f" ({service})" if service else ""), single_line=True)
            found.append((label, MethodRef(iface.name, method.name, service)))
        return found

    def _open(self, ref: MethodRef) -> None:
        app: ExplorerApp = self.app  # type: ignore[assignment]
        app.open_method(ref)

    async def discover(self) -> Hits:
        for label, ref in self._methods():
            yield DiscoveryHit(Content(label), partial(self._open, ref), text=label, help="open in the args editor")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, ref in self._methods():
            score, offsets = matcher.fuzzy_search.match(query, label)
            words = match_score(query, label)  # words in any order ("kv set"), typos forgiven
            if words > score:
                score, offsets = words, ()
            if score > 0:
                yield Hit(score, _highlighted(label, offsets), partial(self._open, ref), text=label, help="open in the args editor")


# "category: action" entries that act on the call selected in the history.
ENTRY_COMMANDS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("export: copy as curl", "the selected call as a curl command (token as $PUTER_AUTH_TOKEN)", "export", ("curl",)),
    ("export: copy as httpx", "the selected call as Python httpx code (token as $PUTER_AUTH_TOKEN)", "export", ("httpx",)),
    ("export: copy as puter.js", "the selected call as a puter.js snippet", "export", ("puterjs",)),
    ("history: mark for diff", "mark the selected call (or remove the mark)", "mark", ()),
    ("history: diff", "the marked call against the selected one, or a replay against its original", "diff", ()),
)

# Entries that act on the method open in the args editor: (name, help, action of the screen or the editor).
METHOD_COMMANDS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("compare: run on every service", "the args in the editor on each service of the interface, side by side",
     "compare", ()),
    ("args: pick a model", "a model for the `model` argument, from the server's list", "pick_model", ()),
)


class EntryCommands(Provider):
    """Export, mark and diff the call selected in the history; compare services and pick a model."""

    def _run(self, action: str, parameters: tuple[str, ...]) -> None:
        app: ExplorerApp = self.app  # type: ignore[assignment]
        screen = app.main_screen
        if not screen.panes_built:  # the palette opened in the moment before the panes are there
            return
        handler = getattr(screen, f"action_{action}", None) or getattr(screen.editor, f"action_{action}")
        handler(*parameters)

    async def discover(self) -> Hits:
        for name, help_text, action, parameters in ENTRY_COMMANDS + METHOD_COMMANDS:
            yield DiscoveryHit(Content(name), partial(self._run, action, parameters), text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action, parameters in ENTRY_COMMANDS + METHOD_COMMANDS:
            score, offsets = matcher.fuzzy_search.match(query, name)
            if score > 0:
                yield Hit(score, _highlighted(name, offsets), partial(self._run, action, parameters), text=name,
                          help=help_text)
