"""What a server changed: its discovery answer beside the bundled catalogue of the same generation.

`new` is what the server offers that the catalogue does not know (an interface, a service, a method, a
parameter where the server describes methods, as v1's /lsmod does); `missing` is what the catalogue has
for that generation and the server does not offer (not an error: a server need not have every driver).
Both come from the merged catalogue that discovery returns, whose `source` says what the server named.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .protocol.catalog import Catalog

# One difference: ("interface", name) / ("service", iface, service) / ("method", iface, method) /
# ("parameter", iface, method, parameter).
Item = tuple[str, ...]


@dataclass
class Drift:
    generation: str | None
    new: list[Item] = field(default_factory=list)
    missing: list[Item] = field(default_factory=list)


def compare(merged: Catalog) -> Drift:
    """The differences between what the server described and the bundled catalogue of its generation."""
    bundled = Catalog.bundled(merged.generation)
    drift = Drift(merged.generation)
    for iface in merged.interfaces.values():
        if iface.source != "server":
            continue
        known = bundled.interfaces.get(iface.name)
        if known is None:
            drift.new.append(("interface", iface.name))
            continue
        served = {s.name for s in iface.services.values() if s.source == "server"}
        drift.new += [("service", iface.name, name) for name in sorted(served - set(known.services))]
        drift.missing += [("service", iface.name, name) for name in sorted(set(known.services) - served)]
        described = {m.name: m for m in iface.methods.values() if m.source == "server"}
        if not described:
            continue  # the server names no methods (v2): nothing to compare them with
        drift.new += [("method", iface.name, name) for name in sorted(set(described) - set(known.methods))]
        drift.missing += [("method", iface.name, name) for name in sorted(set(known.methods) - set(described))]
        for name in sorted(set(described) & set(known.methods)):
            params = {p.name for p in known.methods[name].parameters}
            drift.new += [("parameter", iface.name, name, p.name) for p in described[name].parameters
                          if p.name not in params]
    served_interfaces = {i.name for i in merged.interfaces.values() if i.source == "server"}
    drift.missing += [("interface", name) for name in sorted(set(bundled.interfaces) - served_interfaces)]
    return drift


def new_items(merged: Catalog) -> set[Item]:
    """What the tree marks as new: the server offers it and the catalogue does not know it."""
    return set(compare(merged).new)


def describe(item: Item) -> str:
    kind, *names = item
    if kind == "interface":
        return f"interface {names[0]}"
    if kind == "service":
        return f"service {names[0]} / {names[1]}"
    if kind == "method":
        return f"method {names[0]}.{names[1]}"
    return f"parameter {names[0]}.{names[1]}({names[2]})"


def render(drift: Drift) -> str:
    lines = [f"compared with the bundled catalogue ({drift.generation or 'generation unknown'})"]
    lines.append(f"new on the server ({len(drift.new)}):" if drift.new else "new on the server: nothing")
    lines += [f"  + {describe(item)}" for item in drift.new]
    lines.append(f"in the catalogue, not on the server ({len(drift.missing)}):" if drift.missing
                 else "in the catalogue, not on the server: nothing")
    lines += [f"  - {describe(item)}" for item in drift.missing]
    return "\n".join(lines)
