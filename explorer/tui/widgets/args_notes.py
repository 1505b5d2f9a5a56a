"""The lines the args editor shows around the JSON: the method's title, its optional parameters and known
limits, the verdict on the args, what the call costs, and what the call selected in the history means when
it was refused.

Each is built from `hints` and the catalogue as data (server text is never markup); the editor only places
them. Kept apart from the editor so that what is said and how the args are edited change independently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from .. import hints
from ...protocol.catalog import missing_required, template_args
from ...terminal_text import safe_text
from .catalog_tree import node_label

if TYPE_CHECKING:
    from ...protocol.catalog import Catalog, Method
    from ..calls import Call


def method_title(catalog: Catalog | None, interface: str, method: str, info: Method | None) -> Text:
    """`interface.method`, marked as the tree marks them, and whether it streams or answers bytes."""
    title = Text()
    iface = catalog.interfaces.get(interface) if catalog else None
    title.append_text(node_label(interface, iface.source if iface else "user"))
    title.append(".")
    title.append_text(node_label(method, info.source if info else "user"))
    if info is not None and (info.streams or info.binary):
        title.append("  " + " ".join(t for t, on_ in (("streams", info.streams), ("binary", info.binary)) if on_),
                     style="cyan")
    return title


def optional_note(interface: str, method: str, info: Method | None, generation: str | None,
                  model_key: str | None) -> Text | None:
    """The optional parameters with their types and known limits (None: nothing to say).
    `model_key` is the key that picks a model, when the method takes one from a list."""
    if info is None:
        return Text("no parameter list known for this method", style="dim italic")
    notes: dict[str | None, list[str]] = {}
    if model_key:
        notes["model"] = [f"{model_key} picks from the server's list"]
    for limit in hints.limits(interface, method, generation):
        notes.setdefault(limit.param, []).append(limit.text)
    _, params = template_args(info)
    params = [p for p in params if p.name != "test_mode"]  # the test-mode switch sends it
    if not params and not notes:
        return None
    text = Text()
    if params:
        text.append("optional: ", style="bold")
    for index, param in enumerate(params):
        if index:
            text.append(", ")
        text.append_text(safe_text(param.name, single_line=True))
        about = "; ".join([param.type, *notes.pop(param.name, [])])
        text.append_text(safe_text(f" ({about})", "dim", single_line=True))
    if notes:  # limits of required parameters and of the method itself
        text.append("\n" if params else "")
        text.append("limits: ", style="bold")
        lines = [f"{name}: {note}" if name else note for name, items in notes.items() for note in items]
        text.append_text(safe_text("; ".join(lines), "dim", single_line=True))
    return text


def args_verdict(interface: str | None, method: str | None, info: Method | None, args: Any) -> Text:
    """What is wrong with args that parse (a missing required parameter, a known limit), or that they are fine."""
    missing = missing_required(info, args) if info is not None else []
    broken = hints.args_warnings(interface, method, args) if interface and method else []
    if not isinstance(args, dict):
        return Text("⚠ args is usually a JSON object", style="yellow")
    if missing:
        text = Text("⚠ missing required: ", style="yellow")
        text.append_text(safe_text(", ".join(missing), "bold yellow"))
        return text
    if broken:
        return Text("⚠ " + "; ".join(broken), style="yellow")
    return Text("✓ valid JSON", style="green")


def cost_line(interface: str, method: str, generation: str | None, test_mode: bool, args: Any) -> Text | None:
    """What the call costs as it stands (None: a free method)."""
    note = hints.cost_note(interface, method, generation, test_mode, args)
    return Text("$ " + note) if note else None


def outcome_hint_line(call: Call | None) -> Text | None:
    """What a refused (401, 402, 403) or rate-limited (429) call means and what to do (None: nothing to say)."""
    hint = hints.outcome_hint(call) if call is not None else None
    if call is None or hint is None:
        return None
    number = f"#{call.entry_id} " if call.entry_id is not None else ""
    text = Text("! ", style="bold yellow")
    text.append_text(safe_text(f"{number}{call.title}: ", "bold", single_line=True))
    text.append_text(safe_text(hint, single_line=True))
    return text
