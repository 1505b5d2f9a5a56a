"""File modes (0600, 0700) exist where the platform has POSIX permissions: tests of them are skipped elsewhere."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

posix_modes = pytest.mark.skipif(sys.platform == "win32", reason="Windows files have no POSIX modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)
