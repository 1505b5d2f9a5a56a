"""Whatever a server sends back, a call returns one outcome and discovery one catalogue; neither raises."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from explorer.protocol.catalog import Catalog, usable_name
from explorer.protocol.server_values import MAX_NOTES
from explorer.protocol.client import CallRequest, Connection, Limits
from explorer.protocol.outcomes import OUTCOME_KINDS
from explorer.terminal_text import clean

CONTENT_TYPES = st.sampled_from([
    "application/json", "application/json; charset=utf-8", "application/x-ndjson", "text/html", "text/plain",
    "image/png", "audio/wav", "application/octet-stream", "", "application/problem+json", "garbage/;;;",
])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
ENVELOPES = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries({"success": st.sampled_from([True, False, None, 0, "x"])}, optional={
        "result": JSON_VALUES, "service": JSON_VALUES, "metadata": JSON_VALUES, "error": JSON_VALUES,
        "code": JSON_VALUES, "message": JSON_VALUES}),
    st.fixed_dictionaries({"error": JSON_VALUES}, optional={"code": JSON_VALUES, "message": JSON_VALUES}),
)
BODIES = st.one_of(st.binary(max_size=300), ENVELOPES.map(lambda v: json.dumps(v).encode()))
HEADER_NAMES = st.sampled_from(["Content-Disposition", "Location", "X-Anything", "Content-Encoding"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(status=st.integers(100, 599), content_type=CONTENT_TYPES, body=BODIES,
       extra=st.dictionaries(HEADER_NAMES, st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
                             max_size=2),
       gzipped=st.booleans())
async def test_any_answer_gives_exactly_one_outcome(tmp_path, status, content_type, body, extra, gzipped):
    headers = {**extra, "Content-Type": content_type} if content_type else dict(extra)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
        body = gzip.compress(body)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))

    async with Connection("http://api.puter.localhost:4100", token="tok-SECRET", download_dir=tmp_path,
                          limits=Limits(max_json_bytes=200), transport=httpx.MockTransport(handler)) as connection:
        outcome = await connection.call(CallRequest("i", "m", {"stream": True}), on_chunk=lambda c: None)
    assert outcome.kind in OUTCOME_KINDS
    assert outcome.exchange.status == status
    assert "tok-SECRET" not in outcome.summary
    plain = gzip.decompress(body) if gzipped else body
    if outcome.kind == "result" and outcome.saved_path is not None:  # past max_json_bytes: kept, not parsed
        assert len(plain) > 200 and outcome.saved_path.read_bytes() == plain and outcome.value is None
    elif outcome.kind == "result":
        sent = json.loads(plain)
        if isinstance(sent, dict) and "success" in sent:
            assert outcome.enveloped and outcome.value == sent.get("result")
        else:
            assert not outcome.enveloped and outcome.value == sent
    elif outcome.kind == "stream":
        lines = len([line for line in plain.split(b"\n") if line.strip()])
        assert outcome.complete == (outcome.error is None)
        assert outcome.chunk_count == lines if outcome.complete else outcome.chunk_count <= lines


# -- discovery --------------------------------------------------------------------------------------

ODD_NAMES = st.sampled_from(["puter-kvstore", "puter-ocr", "ai-chat", "get", "set", "key", "", " ", "\x1b[2J",
                             "[bold]x[/]", "\u202eevil", "\ud800", "x" * 300, "hello-world"])
NAMES = ODD_NAMES | st.text(max_size=10)


def shaped(right):
    """Mostly the right shape (so that deep nodes are reached), or anything at all."""
    return st.integers(0, 3).flatmap(lambda pick: right if pick else JSON_VALUES)


PARAMETER = shaped(st.fixed_dictionaries({}, optional={"type": shaped(NAMES)}))
METHOD = shaped(st.fixed_dictionaries({}, optional={"description": JSON_VALUES,
                                                    "parameters": shaped(st.dictionaries(NAMES, PARAMETER, max_size=3))}))
SPEC = shaped(st.fixed_dictionaries({}, optional={"description": JSON_VALUES,
                                                  "methods": shaped(st.dictionaries(NAMES, METHOD, max_size=3))}))
IMPLEMENTORS = shaped(st.dictionaries(NAMES, shaped(st.fixed_dictionaries({}, optional={"isDefault": JSON_VALUES})),
                                      max_size=3))
LSMOD = shaped(st.fixed_dictionaries({"interfaces": shaped(st.dictionaries(
    NAMES, shaped(st.fixed_dictionaries({}, optional={"implementors": IMPLEMENTORS, "spec": SPEC})), max_size=3))}))
LIST_INTERFACES = shaped(st.dictionaries(NAMES, shaped(st.fixed_dictionaries({}, optional={
    "drivers": shaped(st.lists(NAMES, max_size=4)), "default": shaped(NAMES)})), max_size=4))
def answers(statuses: list[int]):
    return st.tuples(st.sampled_from(statuses), st.sampled_from(["application/json", "text/html"]), st.booleans())


def writable(text: str) -> bool:
    """UTF-8 can carry it unchanged (a lone surrogate from a JSON escape cannot be encoded)."""
    try:
        return text.encode("utf-8").decode("utf-8") == text
    except UnicodeEncodeError:
        return False


def printable(text: str) -> bool:
    return clean(text, single_line=True) == text and writable(text)


async def discover(listed, lsmod, listed_answer, lsmod_answer) -> Catalog:
    answers = {"/drivers/list-interfaces": (listed, listed_answer), "/lsmod": (lsmod, lsmod_answer)}

    def handler(request: httpx.Request) -> httpx.Response:
        value, (status, content_type, gzipped) = answers[request.url.path]
        body = value if isinstance(value, bytes) else json.dumps(value).encode()
        headers = {"Content-Type": content_type}
        if gzipped:
            headers["Content-Encoding"] = "gzip"
            body = gzip.compress(body)
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))

    async with Connection("http://api.puter.localhost:4100", token="tok-SECRET",
                          transport=httpx.MockTransport(handler)) as connection:
        return await connection.discover()


def check_catalogue(catalog: Any) -> None:
    assert isinstance(catalog, Catalog)
    event(f"generation {catalog.generation}")
    event("warnings" if any(iface.warnings for iface in catalog.interfaces.values()) else "no warnings")
    event("server methods" if any(m.source == "server" for _, m in catalog.iter_methods()) else "no server methods")
    assert catalog.generation in (None, "v1", "v2")
    assert "puter-kvstore" in catalog.interfaces  # the bundled catalogue is always there
    # No answer may reach the safety nets for flaws: those errors would name one.
    assert not any("discovery failed" in e or "could not be used in full" in e for e in catalog.errors)
    if catalog.generation is None:  # neither answer was usable: both say why, on every interface too
        assert [e.split(":")[0] for e in catalog.errors] == ["GET /drivers/list-interfaces", "GET /lsmod"]
        assert all(iface.error == catalog.errors[-1] for iface in catalog.interfaces.values())
    for iface in catalog.interfaces.values():
        assert usable_name(iface.name)
        assert all(usable_name(name) for name in iface.services)
        assert all(usable_name(name) and all(usable_name(p.name) and usable_name(p.type) for p in m.parameters)
                   for name, m in iface.methods.items())
        assert len(iface.warnings) <= MAX_NOTES + 1 and all(printable(w) for w in iface.warnings)
        assert writable(iface.description)  # may span lines (the UI escapes controls), but can be written
        assert all(writable(m.description) for m in iface.methods.values())
    assert all(printable(e) and "tok-SECRET" not in e for e in catalog.errors)
    assert writable(json.dumps(catalog.to_json(), ensure_ascii=False))  # `interfaces --json` can write it


@settings(max_examples=300, deadline=None)
@given(listed=st.one_of(LIST_INTERFACES, st.binary(max_size=50)), lsmod=st.one_of(LSMOD, st.binary(max_size=50)),
       listed_answer=answers([200, 401, 500]), lsmod_answer=answers([200, 200, 200, 500]))
async def test_discovery_of_any_answers_gives_one_catalogue(listed, lsmod, listed_answer, lsmod_answer):
    check_catalogue(await discover(listed, lsmod, listed_answer, lsmod_answer))


@settings(max_examples=300, deadline=None)
@given(lsmod=st.fixed_dictionaries({"interfaces": st.dictionaries(NAMES, shaped(st.fixed_dictionaries(
    {"spec": shaped(st.fixed_dictionaries({"methods": shaped(st.dictionaries(NAMES, METHOD, min_size=1, max_size=3))},
                                          optional={"description": JSON_VALUES}))},
    optional={"implementors": IMPLEMENTORS})), min_size=1, max_size=4)}), gzipped=st.booleans())
async def test_discovery_of_any_v1_lsmod_gives_one_catalogue(lsmod, gzipped):
    """list-interfaces fails as on a v1 server, so every example reaches the spec merge."""
    check_catalogue(await discover(b"<h1>500</h1>", lsmod, (500, "text/html", False),
                                   (200, "application/json", gzipped)))
