from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import pytest


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(tmp_path):
    """Run `puter-explorer` as a real subprocess with its own config and data folders."""
    home = tmp_path / "home"

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 60) -> Run:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("PUTER_")}
        full_env.update({"PUTER_EXPLORER_HOME": str(home), **(env or {})})
        done = subprocess.run([sys.executable, "-m", "explorer", *args], input=input, capture_output=True,
                              text=True, env=full_env, timeout=timeout)
        return Run(done.returncode, done.stdout, done.stderr)

    run.home = home  # type: ignore[attr-defined]
    return run


@pytest.fixture
def against(demo_server):
    """Flags that point the CLI at the shared v2 demo server."""
    return ["--origin", demo_server.origin], {"PUTER_AUTH_TOKEN": demo_server.token}
