"""Whatever a server sends back, response handling returns one outcome and never raises."""

from __future__ import annotations

import gzip
import json

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.protocol.client import CallRequest, Connection, Limits
from explorer.protocol.outcomes import OUTCOME_KINDS

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
    if outcome.kind == "result" and outcome.saved_path is None and 200 <= status < 300:
        assert json.loads(gzip.decompress(body) if gzipped else body) is not None or outcome.value is None
