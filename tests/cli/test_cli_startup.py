"""What starting the command costs: the TUI's first frame waits for every module loaded before it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from explorer.cli import EXPORT_FORMATS
from explorer.export import FORMATS

# Loaded by the session, the history, the demo server, a driver view's content, a screen that is not shown
# first, or the main screen's other panes (built right after the first frame, which shows the status bar,
# the method tree and the footer): never before the first frame.
NOT_BEFORE_FIRST_FRAME = (
    "httpx", "httpcore", "anyio", "uvicorn", "starlette", "sqlite3", "_sqlite3", "PIL", "textual_image",
    "markdown_it", "explorer.session", "explorer.protocol.client", "explorer.history.store", "explorer.demo",
    "explorer.tui.screens.help", "explorer.tui.screens.connect",
    "explorer.tui.widgets.args_editor", "explorer.tui.widgets.history_pane",
    "explorer.tui.widgets.outcome_view", "explorer.tui.widgets.text_view", "explorer.tui.views",
    "explorer.tui.commands", "explorer.tui.hints", "explorer.tui.compare", "explorer.tui.calls",
    "explorer.tui.screens.add_method", "explorer.tui.screens.diff", "explorer.tui.screens.export",
    "explorer.driver_views", "explorer.protocol.request", "tree_sitter",
    "textual.widgets._text_area", "textual.widgets._tabbed_content",
)


def loaded_by(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running `code`."""
    script = textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUTER_")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_parsing_the_command_line_loads_no_third_party_package():
    modules = loaded_by("""
        import explorer.cli as cli
        cli.build_parser().parse_args(["--demo"])
    """)
    assert {m for m in modules if m.startswith("explorer")} <= {
        "explorer", "explorer.cli", "explorer.protocol", "explorer.protocol.outcomes",
    }
    tops = {m.split(".")[0] for m in modules}
    assert not tops & {"httpx", "httpcore", "textual", "rich", "platformdirs", "sqlite3", "asyncio", "uvicorn"}


def test_what_the_first_frame_of_the_tui_needs_leaves_the_session_for_later():
    modules = loaded_by("""
        import explorer.cli
        import explorer.tui.app
        from explorer.connect import needs_connect
        from explorer.tui.graphics import prepare_terminal_graphics
        assert not needs_connect(demo=True)
    """)
    assert "textual.app" in modules and "explorer.tui.screens.main" in modules
    early = sorted(m for m in modules if m.startswith(NOT_BEFORE_FIRST_FRAME))
    assert early == []


def test_export_formats_offered_by_the_parser_are_the_exporters():
    assert EXPORT_FORMATS == FORMATS


# The errors that mean bad input are caught by class, though cli.py imports their modules only when used.


def test_an_unreadable_profiles_file_is_bad_input_not_a_crash(cli):
    config = cli.home / "config"
    config.mkdir(parents=True)
    (config / "profiles.json").write_text("{not json", encoding="utf-8")
    run = cli("profiles")
    assert run.code == 2
    assert run.err.startswith("error: ") and "profiles file" in run.err and "Traceback" not in run.err


def test_a_history_file_that_is_not_ours_is_bad_input_not_a_crash(cli):
    data = cli.home / "data"
    data.mkdir(parents=True)
    (data / "history.sqlite3").write_text("my notes, not a database\n", encoding="utf-8")
    run = cli("history")
    assert run.code == 2
    assert run.err.startswith("error: ") and "not a SQLite database" in run.err and "Traceback" not in run.err
    assert (data / "history.sqlite3").read_text(encoding="utf-8") == "my notes, not a database\n"
