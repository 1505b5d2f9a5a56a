"""What a run reports: one line per file, a summary, JUnit XML for CI systems, and the same as JSON.

Everything written here is text from the server made safe (no terminal controls), and never the token:
`secrets` are blanked out of every answer and message before they are written.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any, Callable, Iterable

from ..redaction import redacted, secrets_of
from ..terminal_text import clean
from .run import FileResult

ANSWER_LIMIT = 4000  # characters of an answer kept in a report


Redact = Callable[[str], str]


class Redactor:
    """Blanks out the given secrets and makes the text safe to show."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        self.secrets = secrets_of(secrets)

    def __call__(self, text: str) -> str:
        return clean(redacted(text, self.secrets))


def line(result: FileResult) -> str:
    """One line per file: its status, name, time, and why it did not pass."""
    times = result.latency()
    took = f" {times['max']:.0f} ms" if len(result.runs) == 1 else (
        f" p50 {times['p50']:.0f} / p95 {times['p95']:.0f} / max {times['max']:.0f} ms" if times else "")
    errors = sum(1 for run in result.runs if run.failures)
    runs = f" {len(result.runs)} calls, {errors} failed" if len(result.runs) > 1 else ""
    why = result.problem or "; ".join(result.failures)
    where = f" ({result.path}{f':{result.line}' if result.line else ''})" if result.status == "errored" else ""
    return f"{result.status.upper():7} {result.name}{took}{runs}" + (f": {why}{where}" if why else "")


def counts(results: list[FileResult]) -> dict[str, int]:
    return {status: sum(1 for r in results if r.status == status) for status in ("passed", "failed", "errored", "skipped")}


def summary(results: list[FileResult], seconds: float) -> str:
    return ", ".join(f"{n} {status}" for status, n in counts(results).items()) + f" in {seconds:.1f} s"


def answer_text(result: FileResult, redact: Redact) -> str:
    if not result.runs:
        return ""
    seen = result.runs[0].seen
    shown: Any = {"kind": seen.kind}
    for key in ("error_code", "content_type", "size", "message"):
        if getattr(seen, key) is not None:
            shown[key] = getattr(seen, key)
    if seen.kind == "stream":
        shown["text"] = seen.text
    elif seen.answer is not None:
        shown["answer"] = seen.answer
    text = json.dumps(shown, indent=2, ensure_ascii=False, default=str)
    text = text if len(text) <= ANSWER_LIMIT else text[:ANSWER_LIMIT] + "\n…"
    return redact(text)


def as_data(results: list[FileResult], seconds: float, redact: Redact) -> dict[str, Any]:
    return {
        "summary": {**counts(results), "seconds": round(seconds, 3)},
        "files": [
            {
                "name": r.name, "path": str(r.path), "status": r.status, "problem": r.problem, "line": r.line,
                "failures": [redact(f) for f in r.failures], "latency_ms": r.latency(),
                "calls": [{"entry_id": run.entry_id, "kind": run.seen.kind, "duration_ms": run.seen.duration_ms,
                           "failures": [redact(f) for f in run.failures]} for run in r.runs],
                "answer": answer_text(r, redact) or None,
            }
            for r in results
        ],
    }


def write_json(path: Path, results: list[FileResult], seconds: float, redact: Redact) -> None:
    path.write_text(json.dumps(as_data(results, seconds, redact), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_junit(path: Path, results: list[FileResult], seconds: float, redact: Redact, suite: str) -> None:
    """JUnit XML: one testcase per file; a failure carries the unmet expectations and the answer."""
    tally = counts(results)
    root = ElementTree.Element("testsuites")
    element = ElementTree.SubElement(root, "testsuite", {
        "name": suite, "tests": str(len(results)), "failures": str(tally["failed"]),
        "errors": str(tally["errored"]), "skipped": str(tally["skipped"]), "time": f"{seconds:.3f}",
    })
    for result in results:
        took = sum(run.seen.duration_ms for run in result.runs) / 1000
        case = ElementTree.SubElement(element, "testcase", {
            "classname": suite, "name": redact(result.name), "file": str(result.path), "time": f"{took:.3f}",
        })
        if result.status == "failed":
            failure = ElementTree.SubElement(case, "failure", {"message": redact("; ".join(result.failures))[:1000]})
            failure.text = redact("\n".join(result.failures)) + "\n\n" + answer_text(result, redact)
        elif result.status == "errored":
            error = ElementTree.SubElement(case, "error", {"message": redact(result.problem or "")})
            error.text = f"{result.path}{f':{result.line}' if result.line else ''}: {redact(result.problem or '')}"
        elif result.status == "skipped":
            ElementTree.SubElement(case, "skipped", {"message": redact(result.problem or "")})
    ElementTree.indent(root)
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
