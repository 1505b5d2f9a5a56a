"""The hello-world driver that v1 servers carry (with the version trait)."""

from __future__ import annotations

from typing import Any

from .base import Call, Driver


class HelloWorld(Driver):
    description = "A simple hello world service."

    def m_greet(self, call: Call) -> Any:
        return f"Hello, {call.args.get('subject') or 'World'}!"
