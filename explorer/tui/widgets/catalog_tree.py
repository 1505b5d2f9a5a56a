"""The method tree: interfaces -> services -> methods, with a type-to-filter box above it.

Nodes the server listed look normal; nodes known only from the bundled catalogue are dim and italic; what
the server offers beyond the catalogue is marked "new";
nodes the user added are marked "+". An interface whose listing failed shows "⚠" and its error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode

from ...protocol.catalog import Catalog, Interface
from ...terminal_text import clean
from ..matching import match_score, matches
from ...terminal_text import safe_text

SOURCE_STYLES = {"server": "", "catalogue": "dim italic", "user": "green"}
REFUSALS = {
    401: "The server refused the token (HTTP 401): the tree shows only what the bundled catalogue knows. "
         "Start again with another token (PUTER_AUTH_TOKEN, or puter-explorer profiles add), "
         "or log in again with puter-explorer login.",
    403: "The server took the token but does not let it list its drivers (HTTP 403): the tree shows only "
         "what the bundled catalogue knows. Check the account's permissions, or use another profile.",
}
_DISCOVERY_STATUS = re.compile(r": HTTP (40[13])\b")


def refused_status(errors: list[str]) -> int | None:
    """401 or 403 when discovery was refused (its messages say "HTTP <status>"), else None."""
    for error in errors:
        found = _DISCOVERY_STATUS.search(error)
        if found:
            return int(found.group(1))
    return None


@dataclass(frozen=True)
class MethodRef:
    """What a method node points at."""

    interface: str
    method: str
    service: str | None


def node_label(
    name: str, source: str, *, default: bool = False, error: str | None = None, default_mark: str = " ★ default",
    new: bool = False,
) -> Text:
    text = Text()
    if error:
        text.append("⚠ ", style="bold red")
    if source == "user":
        text.append("+ ", style="bold green")
    text.append_text(safe_text(name, SOURCE_STYLES.get(source, ""), single_line=True))
    if default:
        text.append(default_mark, style="yellow")
    if new:
        text.append(" new", style="bold magenta")  # the server offers it; the bundled catalogue does not know it
    return text


def interface_label(iface: Interface, width: int = 60, new: bool = False) -> Text:
    """An interface's node: its name, then the first thing the server described oddly and how many more."""
    text = node_label(iface.name, iface.source, error=iface.error, new=new)
    if iface.warnings:
        first = clean(iface.warnings[0], single_line=True)
        text.append("  ⚠ ", style="yellow")
        text.append(first if len(first) <= width else first[: width - 1] + "…", style="yellow")
        if len(iface.warnings) > 1:
            text.append(f" (+{len(iface.warnings) - 1} more)", style="dim yellow")
    return text


class MethodTree(Tree[object]):
    HELP = """\
## Methods
Interfaces, their services and the methods each service answers.
Dim italic nodes come from the bundled catalogue only; normal ones were listed by the server;
"new" marks what the server offers that the bundled catalogue does not know yet;
"+" marks what you added. "⚠" marks an interface whose listing failed. "★ default" (or just "★" where
that does not fit) marks the service the server uses when a call names none.

- **Enter** on a method opens it in the args editor.
- Type in the filter box above to narrow the tree.
"""

    class Opened(Message):
        """A method node was chosen (Enter or click)."""

        def __init__(self, ref: MethodRef) -> None:
            self.ref = ref
            super().__init__()

    def on_tree_node_selected(self, event: Tree.NodeSelected[object]) -> None:
        if isinstance(event.node.data, MethodRef):
            event.stop()
            self.post_message(self.Opened(event.node.data))


class CatalogPanel(Vertical):
    """The filter box, the tree, and a line about the highlighted node (its error or description)."""
    DEFAULT_CSS = """
    CatalogPanel #tree-banner {
        height: auto;
        padding: 0 1;
        background: $error 30%;
        display: none;
    }
    CatalogPanel #tree-filter {
        height: 3;
    }
    CatalogPanel #method-tree {
        height: 1fr;
    }
    CatalogPanel #tree-info {
        height: auto;
        max-height: 5;
        padding: 0 1;
        display: none;
    }
    """

    HELP = MethodTree.HELP
    SERVICE_INDENT = 8  # columns before a service's name in the tree (guides, arrow) and its scrollbar

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.catalog: Catalog | None = None
        self._default_nodes: list[tuple[TreeNode[object], Any]] = []  # (node, service) of default services
        self._new: set[tuple[str, ...]] = set()  # what the server offers beyond the bundled catalogue

    def _default_mark(self, name: str) -> str:
        """`★ default` where it fits beside the service's name, else `★`."""
        width = self.size.width or 80
        return " ★ default" if self.SERVICE_INDENT + len(name) + len(" ★ default") <= width else " ★"

    def on_resize(self) -> None:
        # Relabel in place (no rebuild: what is expanded stays expanded).
        for node, service in self._default_nodes:
            mark = self._default_mark(service.name)
            node.set_label(node_label(service.name, service.source, default=True, default_mark=mark))

    def compose(self) -> ComposeResult:
        yield Static(id="tree-banner")  # shown when the server refused the token: what to do
        yield Input(placeholder="filter methods…", id="tree-filter")
        tree = MethodTree(Text("interfaces"), id="method-tree")
        tree.show_root = False
        tree.root.add_leaf(Text("discovering…", style="italic dim"))  # until the catalogue arrives
        yield tree
        yield Static(id="tree-info")

    @property
    def tree(self) -> MethodTree:
        return self.query_one(MethodTree)

    def set_catalog(self, catalog: Catalog) -> None:
        """Show the catalogue. When the server refused the token, one banner says so and what to do, instead
        of a warning on every interface."""
        self.catalog = catalog
        status = refused_status(catalog.errors)
        banner = self.query_one("#tree-banner", Static)
        banner.display = status is not None
        if status is not None:
            for iface in catalog.interfaces.values():
                iface.error = None  # the banner says it once
            banner.update(Text(REFUSALS[status], style="bold"))
        self.rebuild()

    @on(Input.Changed, "#tree-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.rebuild()

    @on(Input.Submitted, "#tree-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter box: into the tree, on the method that matches best (the first of equals)."""
        event.stop()
        self.tree.focus()
        best = self._best_method(event.value)
        if best is not None:
            self.tree.move_cursor(best)

    def _best_method(self, needle: str) -> TreeNode[object] | None:
        best, best_score = None, -1.0
        stack = list(self.tree.root.children)
        while stack:
            node = stack.pop(0)
            ref = node.data
            if isinstance(ref, MethodRef):
                score = match_score(needle, f"{ref.interface}.{ref.method} ({ref.service or ''})") if needle else 0.0
                if score > best_score:
                    best, best_score = node, score
            stack[:0] = node.children
        return best

    def rebuild(self) -> None:
        tree = self.tree
        tree.clear()
        self._default_nodes = []
        if self.catalog is None:
            return
        needle = self.query_one("#tree-filter", Input).value.strip().lower()
        filtering = bool(needle)
        self._new = self._new_items()
        for iface in self.catalog.interfaces.values():
            self._add_interface(tree.root, iface, needle, expand=filtering)
        if filtering:
            tree.root.expand_all()

    def _new_items(self) -> set[tuple[str, ...]]:
        """What the server offers beyond the bundled catalogue (only once the server has answered)."""
        from ...drift import new_items

        return new_items(self.catalog) if self.catalog is not None and self.catalog.generation else set()

    def _add_interface(self, root: TreeNode[object], iface: Interface, needle: str, *, expand: bool) -> None:
        services = list(iface.services.values()) or [None]
        matches: list[tuple[object, list[str]]] = []
        for service in services:
            sname = service.name if service else None
            names = [m for m in iface.methods if _matches(needle, iface.name, sname or "", m)]
            if names:
                matches.append((service, names))
        if needle and not matches:
            return
        new = self._new
        iface_node = root.add(interface_label(iface, new=("interface", iface.name) in new), data=iface)
        for service, names in matches:
            if service is None:
                parent = iface_node  # an interface without a known service: methods hang directly below
            else:
                default = service.name == iface.default_service
                label = node_label(service.name, service.source, default=default, default_mark=self._default_mark(service.name),
                                   new=("service", iface.name, service.name) in new)
                parent = iface_node.add(label, data=service)
                if default:
                    self._default_nodes.append((parent, service))
            for mname in names:
                method = iface.methods[mname]
                ref = MethodRef(iface.name, mname, service.name if service else None)
                parent.add_leaf(node_label(mname, method.source, new=("method", iface.name, mname) in new), data=ref)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[object]) -> None:
        info = self.query_one("#tree-info", Static)
        data = event.node.data
        node = event.node
        while node.parent is not None and not isinstance(node.data, Interface):
            node = node.parent
        iface = node.data if isinstance(node.data, Interface) else None
        text = Text()
        if iface is not None and iface.error:
            text.append("⚠ ", style="bold red")
            text.append_text(safe_text(iface.error))
        elif isinstance(data, MethodRef) and self.catalog is not None:
            method = self.catalog.method(data.interface, data.method)
            if method is not None:
                text.append_text(safe_text(method.description or f"{data.interface}.{data.method}", "dim"))
        elif iface is not None and iface.description:
            text.append_text(safe_text(iface.description, "dim"))
        info.update(text)
        info.display = bool(text)

    def select(self, ref: MethodRef) -> bool:
        """Move the cursor to a method's node (clearing the filter if it hides it)."""
        node = self._find(ref)
        if node is None and self.query_one("#tree-filter", Input).value:
            self.query_one("#tree-filter", Input).value = ""
            self.rebuild()
            node = self._find(ref)
        if node is None:
            return False
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self.tree.move_cursor(node)
        return True

    def _find(self, ref: MethodRef) -> TreeNode[object] | None:
        stack = list(self.tree.root.children)
        fallback = None
        while stack:
            node = stack.pop(0)
            data = node.data
            if isinstance(data, MethodRef) and (data.interface, data.method) == (ref.interface, ref.method):
                if data.service == ref.service:
                    return node
                fallback = fallback or node
            stack.extend(node.children)
        return fallback


def _matches(needle: str, interface: str, service: str, method: str) -> bool:
    """Every word of the filter is in `interface.method (service)`, in any order, typos forgiven."""
    return not needle.strip() or matches(needle, f"{interface}.{method} ({service})")
