"""Reads the captured exchanges with real Puter servers (tests/fixtures/puter, kept byte for byte)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "puter"
BINARY_MARKER = re.compile(rb"^<binary body: (\d+) bytes, sha256=([0-9a-f]+), saved beside this file as (\S+)>$")


@dataclass
class Capture:
    generation: str
    name: str
    outcome: str  # as observed, from INDEX.tsv
    request_line: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int | None  # None: the server never answered
    response_headers: list[tuple[str, str]]
    body: bytes

    @property
    def request_method(self) -> str:
        return self.request_line.split(" ")[0]

    @property
    def request_path(self) -> str:
        return self.request_line.split(" ")[1]

    def header(self, name: str) -> str | None:
        for key, value in self.response_headers:
            if key.lower() == name.lower():
                return value
        return None


def _split_head(block: bytes) -> tuple[list[str], bytes]:
    head, _, body = block.partition(b"\n\n")
    return head.decode("utf-8", "replace").splitlines(), body


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, rest = data.partition(b"\n")
        size = int(size_line.strip().split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.extend(rest[:size])
        data = rest[size:].lstrip(b"\r\n")
    return bytes(out)


def load(path: Path, outcome: str = "") -> Capture:
    raw = path.read_bytes()
    request_part = raw.split(b"=== REQUEST ===\n", 1)[1].split(b"\n=== RESPONSE ===", 1)[0]
    response_part = raw.split(b"=== RESPONSE ===\n", 1)[1]
    request_lines, request_body = _split_head(request_part)
    request_headers = [tuple(h.split(": ", 1)) for h in request_lines[1:] if ": " in h]
    if not response_part.strip() or response_part.lstrip().startswith(b"# curl exited"):
        return Capture(path.parent.name, path.stem, outcome, request_lines[0], request_headers,
                       request_body.rstrip(b"\n"), None, [], b"")
    response_lines, body = _split_head(response_part)
    status = int(response_lines[0].split(" ")[1])
    headers = [tuple(h.split(": ", 1)) for h in response_lines[1:] if ": " in h]
    marker = BINARY_MARKER.match(body.strip())
    if marker:
        body = (path.parent / marker.group(3).decode()).read_bytes()
    elif path.stem.endswith("-raw") and any(k.lower() == "transfer-encoding" for k, _ in headers):
        body = _dechunk(body)
    return Capture(path.parent.name, path.stem, outcome, request_lines[0], request_headers,
                   request_body, status, headers, body)


def all_captures() -> list[Capture]:
    index = (FIXTURES_DIR / "INDEX.tsv").read_text().splitlines()[1:]
    captures = []
    for row in index:
        generation, name, _status, outcome, _ctype = row.split("\t")
        captures.append(load(FIXTURES_DIR / generation / f"{name}.txt", outcome))
    return captures
