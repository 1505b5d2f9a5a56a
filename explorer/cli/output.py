"""What a call's outcome prints: the result on stdout (JSON, a saved file's path, a view, or the stream's
text), everything else on stderr; and the exit code the outcome gives."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .exits import EXIT_DRIVER_ERROR, EXIT_FAILURE, EXIT_OK
from .hints import hint_for, outcome_status, sent_token
from .messages import redact, say

if TYPE_CHECKING:
    from ..protocol.outcomes import Outcome, Stream
    from ..protocol.request import CallRequest


def exit_code(outcome: Outcome) -> int:
    from ..protocol.outcomes import DriverError, Failure, Stream

    if isinstance(outcome, DriverError):
        return EXIT_DRIVER_ERROR
    if isinstance(outcome, Failure):
        return EXIT_FAILURE
    if isinstance(outcome, Stream) and outcome.error:
        return EXIT_FAILURE
    return EXIT_OK


def outcome_json(outcome: Outcome, entry_id: int | None) -> dict[str, Any]:
    from ..protocol.outcomes import Binary, DriverError, Result, Stream

    data: dict[str, Any] = {"kind": outcome.kind, "status": outcome.exchange.status, "entry": entry_id,
                            "duration_ms": round(outcome.exchange.duration_ms, 1), "size": outcome.exchange.size}
    if isinstance(outcome, Result):
        data.update(result=outcome.value, service=outcome.service_name, metadata=outcome.metadata,
                    saved_path=str(outcome.saved_path) if outcome.saved_path else None)
    elif isinstance(outcome, DriverError):
        data.update(code=outcome.code, normalised_code=outcome.normalised_code, message=outcome.message,
                    nominal_status=outcome.nominal_status, body=outcome.body)
    elif isinstance(outcome, Binary):
        data.update(path=str(outcome.path), content_type=outcome.content_type, size=outcome.size,
                    sha256=outcome.sha256)
    elif isinstance(outcome, Stream):
        # `chunks` and `text` are the ends of the stream that memory keeps; the whole body is in saved_path.
        data.update(text=outcome.text, text_truncated=outcome.text_truncated, text_chars=outcome.text_chars,
                    chunk_count=outcome.chunk_count, chunks=list(outcome.chunks), complete=outcome.complete,
                    error=outcome.error, saved_path=str(outcome.saved_path) if outcome.saved_path else None)
    else:
        data.update(failure=outcome.failure, message=outcome.message)
    return data


def print_view(answer: Any, save_dir: Path | None) -> bool:
    """The answer as its driver view would show it (True), or nothing when no view fits it (False)."""
    import shutil

    from ..driver_views.text import render

    shown = render(answer, shutil.get_terminal_size((100, 24)).columns, save_dir)
    if shown is None:
        return False
    print(redact(shown))
    return True


def print_outcome(outcome: Outcome, entry_id: int | None, options: argparse.Namespace, streamed: bool,
                  request: CallRequest | None = None, save_dir: Path | None = None) -> int:
    """Print `outcome` as `options` ask (--json, --view, -o); returns its exit code. With `streamed`, the
    stream's text was already printed as it came."""
    import shutil

    from ..protocol.outcomes import Binary, DriverError, Failure, Result, Stream
    from ..terminal_text import clean, json_text

    output: Path | None = getattr(options, "output", None)
    if isinstance(outcome, Binary) and output is not None and not outcome.external:
        shutil.copyfile(outcome.path, output)  # written elsewhere (not by this command's call): copy it
        outcome.path = output
    viewed = False
    if getattr(options, "view", False) and not options.json and request is not None:
        from ..driver_views import Answer

        viewed = print_view(Answer.of_outcome(request.interface, request.method, request.args, outcome, entry_id),
                            save_dir)
    # What the server said is printed with the token redacted, as the history keeps it (a server may quote it).
    if options.json:
        print(redact(json_text(outcome_json(outcome, entry_id))))
    elif viewed:
        if isinstance(outcome, Result) and output is not None and outcome.saved_path is None:
            output.write_text(json_text(outcome.value) + "\n", encoding="utf-8")
        elif isinstance(outcome, Stream) and output is not None:
            write_stream_text(outcome, output)
    elif isinstance(outcome, Result):
        if outcome.saved_path is not None:
            print(outcome.saved_path)
        else:
            text = json_text(outcome.value)
            if output is not None:
                output.write_text(text + "\n", encoding="utf-8")
                print(output)
            else:
                print(redact(text))
    elif isinstance(outcome, Binary):
        print(outcome.path)
    elif isinstance(outcome, Stream) and output is not None:
        write_stream_text(outcome, output)
        print(output)
    elif isinstance(outcome, Stream) and not streamed:
        print(redact(clean(outcome.text)))
    if isinstance(outcome, Stream) and outcome.text_truncated and not (streamed or output is not None or viewed):
        where = f"the whole stream is saved in {outcome.saved_path}" if outcome.saved_path else "the rest was not kept"
        say(f"the stream's text was {outcome.text_chars} characters; only its last {len(outcome.text)} are shown "
            f"here; {where}")
    if isinstance(outcome, Binary):
        say(f"{outcome.content_type}, {outcome.size} bytes, sha256 {outcome.sha256}")
        if output is not None and (note := type_note(outcome.content_type, output)):
            say(note)
    elif isinstance(outcome, DriverError):
        say(f"driver error {outcome.code or '(no code)'} (HTTP {outcome.status}): {outcome.message}")
    elif isinstance(outcome, Failure):
        say(f"failed ({outcome.failure}): {outcome.message}")
    elif isinstance(outcome, Stream) and outcome.error:
        say(f"stream incomplete: {outcome.error}")
    hint_for(outcome_status(outcome), sent_token=sent_token(outcome))
    if entry_id is not None:
        say(f"history entry {entry_id}")
    return exit_code(outcome)


GENERIC = "application/octet-stream"  # bytes of no particular type, or a name (.bin) that promises none
# Other names of one type, and the `x-` forms mimetypes gives (.wav is audio/x-wav): only a real mismatch is noted.
_SAME_TYPE = {"audio/wave": "audio/wav", "audio/vnd.wave": "audio/wav", "audio/mp3": "audio/mpeg",
              "image/jpg": "image/jpeg"}


def _media_type(content_type: str) -> str:
    kind, _, subtype = content_type.split(";")[0].strip().lower().partition("/")
    named = f"{kind}/{subtype.removeprefix('x-')}"
    return _SAME_TYPE.get(named, named)


def type_note(content_type: str | None, path: Path) -> str | None:
    """A note when `path`'s extension names another type than the body written to it (WAV in hello.mp3): the
    bytes are kept as they came, not converted. None when they fit, or when either side names no type."""
    import mimetypes

    named = mimetypes.guess_type(path.name)[0]
    answer = (content_type or "").split(";")[0].strip()
    types = {_media_type(named), _media_type(answer)} if named and answer else {GENERIC}
    if len(types) == 1 or GENERIC in types:
        return None
    return f"note: the answer is {answer}; {path} holds it as received"


def write_stream_text(outcome: Stream, output: Path) -> None:
    """The whole text of a stream into `output`: from the saved body when memory kept only its end."""
    saved = outcome.saved_path
    if not outcome.text_truncated or saved is None or not saved.is_file():
        output.write_text(outcome.text, encoding="utf-8")
        return
    with saved.open(encoding="utf-8", errors="replace") as body, output.open("w", encoding="utf-8") as out:
        for line in body:
            try:
                chunk = json.loads(line)
            except ValueError:
                continue
            if isinstance(chunk, dict) and chunk.get("type") == "text" and isinstance(chunk.get("text"), str):
                out.write(chunk["text"])
