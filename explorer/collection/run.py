"""Running call files against a server: in name order, with substitutions, captures, repeats and a second origin.

Each call goes through a session, so every run is a history entry like any other call. A file that cannot
be run (it does not parse, names a capture nobody made, depends on a file that did not pass) sends
nothing and is reported as errored or skipped; the rest of the run goes on.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..jsondiff import diff
from ..protocol.outcomes import Binary, DriverError, Failure, Outcome, Result, Stream
from ..protocol.request import CallRequest
from . import expect as expectations
from .files import CallFile, FileProblem, find, load
from .paths import Missing, lookup, remove

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
TOKEN_VARIABLE = "PUTER_AUTH_TOKEN"
Caller = Callable[[CallRequest], Any]  # awaitable (entry id, outcome)


@dataclass
class CallRun:
    """One call of a file: its entry, what it gave, and the expectations it did not meet."""

    entry_id: int | None
    seen: expectations.Observed
    failures: list[str]


@dataclass
class FileResult:
    path: Path
    name: str
    status: str = "passed"  # passed, failed, errored, skipped
    problem: str | None = None  # why it errored or was skipped
    line: int | None = None
    runs: list[CallRun] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)  # --against: where the two origins' answers differ
    unreachable: bool = False

    @property
    def failures(self) -> list[str]:
        seen: list[str] = []
        for run in self.runs:
            seen += [f for f in run.failures if f not in seen]
        if self.differences:
            shown = "; ".join(self.differences[:5]) + (f"; and {len(self.differences) - 5} more" if len(self.differences) > 5 else "")
            seen.append(f"differs from the other origin at {len(self.differences)} place(s): {shown}")
        return seen

    @property
    def held(self) -> bool:
        """Whether it ran and every expectation held (a difference from another origin aside)."""
        return bool(self.runs) and not any(run.failures for run in self.runs)

    def latency(self) -> dict[str, float]:
        """p50, p95 and max of the calls' durations (ms)."""
        times = sorted(run.seen.duration_ms for run in self.runs)
        if not times:
            return {}
        pick = lambda q: times[min(len(times) - 1, max(0, round(q * (len(times) - 1))))]  # noqa: E731
        return {"p50": pick(0.5), "p95": pick(0.95), "max": times[-1]}


@dataclass
class RunOptions:
    repeat: int = 1
    concurrency: int = 1
    filter: str | None = None


def observe(outcome: Outcome) -> expectations.Observed:
    duration = outcome.exchange.duration_ms
    if isinstance(outcome, Result):
        return expectations.Observed("result", outcome.value, duration_ms=duration)
    if isinstance(outcome, DriverError):
        return expectations.Observed("driver_error", outcome.body, error_code=outcome.code, duration_ms=duration,
                                     message=outcome.message)
    if isinstance(outcome, Binary):
        return expectations.Observed("binary", None, content_type=outcome.content_type, size=outcome.size,
                                     duration_ms=duration)
    if isinstance(outcome, Stream):
        return expectations.Observed("stream", list(outcome.chunks), text=outcome.text, duration_ms=duration,
                                     message=outcome.error)
    assert isinstance(outcome, Failure)
    return expectations.Observed("failure", None, duration_ms=duration, message=outcome.message)


def substitute(value: Any, known: dict[str, Any]) -> Any:
    """`${NAME}` replaced from `known` (captures) or the environment; KeyError(NAME) when neither has it.

    A string that is one reference takes the value as it is (a number stays a number)."""
    if isinstance(value, dict):
        return {key: substitute(item, known) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, known) for item in value]
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = _REFERENCE.fullmatch(value)
    if whole:
        return _resolve(whole.group(1), known)
    return _REFERENCE.sub(lambda m: _text(_resolve(m.group(1), known)), value)


def _resolve(name: str, known: dict[str, Any]) -> Any:
    if name == TOKEN_VARIABLE:
        raise KeyError(f"${{{name}}}: the runner sends the token itself; it is never put into args")
    if name in known:
        return known[name]
    if name in os.environ:
        return os.environ[name]
    raise KeyError(f"${{{name}}} is not captured by an earlier file nor set in the environment")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def load_all(paths: list[Path], name_filter: str | None = None) -> list[CallFile | FileProblem]:
    """Every file named (folders in name order), each loaded or the problem that keeps it from running."""
    found: list[CallFile | FileProblem] = []
    for path in find(paths):
        if name_filter and name_filter.lower() not in path.as_posix().lower():
            continue
        try:
            found.append(load(path))
        except FileProblem as problem:
            found.append(problem)
    return found


async def run(
    files: list[CallFile | FileProblem],
    call: Caller,
    *,
    options: RunOptions,
    against: Caller | None = None,
    on_result: Callable[[FileResult], None] = lambda result: None,
) -> list[FileResult]:
    """Run the loaded files in order; `on_result` hears of each as it ends."""
    captured: dict[str, Any] = {}
    captured_there: dict[str, Any] = {}  # --against: each origin keeps its own captures (a uid made there)
    passed: set[str] = set()
    done: set[str] = set()
    results = []
    for item in files:
        if isinstance(item, FileProblem):
            result = FileResult(item.path, item.path.stem, "errored", item.why, item.line)
        else:
            result = await _run_file(item, call, against, options, (captured, captured_there), passed, done)
            done.add(item.key)
            if result.held:  # later files may use its captures
                passed.add(item.key)
        results.append(result)
        on_result(result)
    return results


async def _run_file(
    file: CallFile, call: Caller, against: Caller | None, options: RunOptions,
    captures: tuple[dict[str, Any], dict[str, Any]], passed: set[str], done: set[str],
) -> FileResult:
    captured, captured_there = captures
    result = FileResult(file.path, file.name)
    for dependency in file.depends_on:
        if dependency not in done:
            return _not_run(result, "errored", f"depends_on {dependency!r}: no such file earlier in the run")
        if dependency not in passed:
            return _not_run(result, "skipped", f"depends on {dependency!r}, which did not pass")
    try:
        args = substitute(file.args, captured)
        service = substitute(file.service, captured)
    except KeyError as missing:
        return _not_run(result, "errored", missing.args[0])
    request = CallRequest(file.interface, file.method, args, service=service, test_mode=file.test_mode)
    gate = asyncio.Semaphore(max(1, options.concurrency))

    async def once() -> tuple[CallRun, Outcome]:
        async with gate:
            entry_id, outcome = await call(request)
        seen = observe(outcome)
        return CallRun(entry_id, seen, expectations.check(file.expect, seen)), outcome

    runs = await asyncio.gather(*(once() for _ in range(max(1, options.repeat))))
    result.runs = [run for run, _ in runs]
    first_seen, first_outcome = result.runs[0].seen, runs[0][1]
    result.unreachable = isinstance(first_outcome, Failure) and first_outcome.failure in ("connect", "timeout", "tls")
    _capture(file, first_seen, captured, result.runs[0].failures)
    if against is not None:
        try:
            there = CallRequest(file.interface, file.method, substitute(file.args, captured_there),
                                service=substitute(file.service, captured_there), test_mode=file.test_mode)
        except KeyError as missing:
            result.differences = [f"not run there: {missing.args[0]}"]
        else:
            _entry, other = await against(there)
            other_seen = observe(other)
            _capture(file, other_seen, captured_there, [])
            result.differences = differences(first_seen, other_seen, file.volatile)
    if result.failures:
        result.status = "failed"
    return result


def _capture(file: CallFile, seen: expectations.Observed, into: dict[str, Any], failures: list[str]) -> None:
    for name, path in file.capture.items():
        try:
            into[name] = lookup(seen.answer, path)
        except Missing:
            failures.append(f"capture {name}: nothing at {path}")


def _not_run(result: FileResult, status: str, why: str) -> FileResult:
    result.status, result.problem = status, why
    return result


def differences(one: expectations.Observed, other: expectations.Observed, volatile: list[str]) -> list[str]:
    """Where two answers differ (JSON-aware, key order and `volatile` paths ignored)."""
    if one.kind != other.kind:
        return [f"kind: {one.kind} vs {other.kind}"]
    left, right = _comparable(one), _comparable(other)
    for path in volatile:
        left, right = remove(left, path), remove(right, path)
    return [f"{c.path}: {_short(c.old)} vs {_short(c.new)}" for c in diff(left, right)]


def _comparable(seen: expectations.Observed) -> Any:
    if seen.kind == "binary":
        return {"content_type": seen.content_type}
    if seen.kind == "stream":
        return {"text": seen.text}
    if seen.kind == "driver_error":
        return {"code": seen.error_code}
    if seen.kind == "failure":
        return {}
    return seen.answer


def _short(value: Any, width: int = 80) -> str:
    from ..jsondiff import MISSING

    text = "(nothing)" if value is MISSING else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= width else text[: width - 1] + "…"
