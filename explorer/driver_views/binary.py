"""Any binary answer that no other view knows: its type, size and where it was saved."""

from __future__ import annotations

from typing import Any

from .answers import binary_source, is_binary


def fits(answer: Any) -> bool:
    return is_binary(answer) and binary_source(answer) is not None
