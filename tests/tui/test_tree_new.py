"""The method tree marks what a server offers beyond the bundled catalogue."""

from __future__ import annotations

from explorer.protocol.catalog import Catalog

from .conftest import SIZE, ready


def labels(tree) -> list[str]:
    found, stack = [], [tree.root]
    while stack:
        node = stack.pop()
        found.append(str(node.label))
        stack.extend(node.children)
    return found


async def test_a_method_and_an_interface_the_catalogue_does_not_know_are_marked_new(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(app, pilot)
        assert not any(label.endswith(" new") for label in labels(screen.catalog_panel.tree))  # the demo: all known
        catalog = Catalog.bundled("v1")
        catalog.merge_lsmod({"interfaces": {
            "puter-kvstore": {"implementors": {"puter-kvstore": {}},
                              "spec": {"methods": {"get": {"parameters": {"key": {"type": "string"}}},
                                                   "teleport": {"parameters": {}}}}},
            "puter-holograms": {"implementors": {"holo": {}}},
        }})
        screen.set_catalog(catalog)
        screen.catalog_panel.tree.root.expand_all()
        await pilot.pause()
        marked = [label for label in labels(screen.catalog_panel.tree) if label.endswith(" new")]
    assert sorted(marked) == ["puter-holograms new", "teleport new"]
