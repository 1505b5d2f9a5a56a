"""The benches still run: quick mode, figures produced (no thresholds). A CI step of its own:
`pytest -m bench tests/bench` (the default run leaves these out)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
pytestmark = pytest.mark.bench


def run_bench(script: str, out: Path, *extra: str) -> dict:
    argv = [sys.executable, str(BENCH / script), "--quick", "--only", "big", "--timeout", "20",
            "--json", str(out), *extra]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


def test_loop_bench_quick(tmp_path):
    data = run_bench("loop_bench.py", tmp_path / "loop.json")
    [result] = data["results"]
    assert result["scenario"] == "big"
    assert isinstance(result["stall_max_ms"], float) and isinstance(result["stall_p99_ms"], float)
    assert result["keys"] > 0 and "key_median_ms" in result
    assert "done_ms" in result and "first_visible_ms" in result


@pytest.mark.skipif(not sys.platform.startswith(("linux", "darwin")), reason="needs a pseudo-terminal")
def test_keypress_bench_quick(tmp_path):
    data = run_bench("keypress_bench.py", tmp_path / "keys.json")
    [result] = data["results"]
    assert result["scenario"] == "big"
    assert "keys" in result, result.get("error")
    assert result["keys"] > 0 and "key_worst_ms" in result and "done_ms" in result


@pytest.mark.timeout(400)
@pytest.mark.skipif(not sys.platform.startswith(("linux", "darwin")), reason="needs a pseudo-terminal")
@pytest.mark.skipif(shutil.which("curl") is None, reason="the download figures are measured against curl")
def test_python_m_bench_quick_reports_every_figure(tmp_path):
    out = tmp_path / "figures.json"
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--json", str(out)], capture_output=True,
                          text=True, timeout=380, cwd=BENCH.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["quick"] is True
    names = [figure["figure"] for figure in data["figures"]]
    assert names == [
        "first_paint", "call_overhead", "call_overhead_history", "calls_in_flight_100", "binary_throughput",
        "binary_throughput_raw_httpx", "binary_throughput_transfer", "binary_peak_rss_growth", "stream_lag",
        "keypress_during_stream", "keypress_during_big_result", "history_start_100k", "history_search_100k",
    ]
    for figure in data["figures"]:
        assert isinstance(figure["median"], (int, float)), figure
        assert figure["goal"] and isinstance(figure["met"], bool), figure
        if figure["anchor"] != "-":
            assert isinstance(figure["anchor_median"], (int, float)), figure
    # The table on stdout carries the same figures.
    table = done.stdout
    for name in names:
        assert name in table
    assert "not measured" not in table
