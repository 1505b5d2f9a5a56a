"""Every exchange captured from a real Puter server lands in the outcome kind its status and body call for."""

from __future__ import annotations

import asyncio
import hashlib
import json

import httpx
import pytest

from explorer.protocol.client import CallRequest, Connection, Timeouts
from tests.puter_fixtures import Capture, all_captures

CAPTURES = all_captures()
# Headers that describe the wire framing of the capture, not the decoded body we hand to the client.
FRAMING = {"content-length", "transfer-encoding", "content-encoding", "connection", "keep-alive"}


def expected_kind(capture: Capture) -> str:
    if capture.status is None:
        return "failure"
    if capture.outcome == "ok (binary body)":
        return "binary"
    if capture.outcome == "ok (streamed ndjson)":
        return "stream"
    if capture.outcome.startswith("error (HTTP 200"):
        return "driver_error"
    ctype = capture.header("content-type") or ""
    if capture.outcome == "error (HTTP status)":
        return "driver_error" if "json" in ctype else "failure"
    if capture.outcome == "ok":
        # A preflight answer is not a driver answer: 200 text that is not JSON is a protocol failure.
        return "result" if "json" in ctype else "failure"
    raise AssertionError(f"unknown outcome {capture.outcome!r}")


def replay_transport(capture: Capture) -> httpx.MockTransport:
    async def handler(request: httpx.Request) -> httpx.Response:
        if capture.status is None:
            await asyncio.sleep(30)  # the real server never answered
        headers = [(k, v) for k, v in capture.response_headers if k.lower() not in FRAMING]
        return httpx.Response(capture.status, headers=headers, content=capture.body)

    return httpx.MockTransport(handler)


def request_of(capture: Capture) -> CallRequest:
    try:
        body = json.loads(capture.request_body)
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return CallRequest(
        interface=str(body.get("interface", "x")),
        method=str(body.get("method", "x")),
        args=body.get("args", {}),
        service=body.get("driver") or body.get("service"),
    )


@pytest.mark.parametrize("capture", CAPTURES, ids=[f"{c.generation}/{c.name}" for c in CAPTURES])
async def test_capture_lands_in_expected_outcome(capture: Capture, tmp_path):
    timeouts = Timeouts(read=0.3, connect=0.3, stream_read=0.3)
    async with Connection(
        "http://api.puter.localhost:4100", token="t", download_dir=tmp_path, timeouts=timeouts,
        transport=replay_transport(capture),
    ) as connection:
        chunks: list = []
        outcome = await connection.call(request_of(capture), on_chunk=chunks.append)

    kind = expected_kind(capture)
    assert outcome.kind == kind, outcome.summary
    assert outcome.exchange.status == capture.status
    if kind == "driver_error":
        assert outcome.message
        if capture.status == 200:
            assert capture.body.startswith(b'{"success":false')
        body = json.loads(capture.body)
        if isinstance(body.get("error"), dict):
            assert outcome.code == body["error"].get("code")
        elif "code" in body:
            assert outcome.code == body["code"]
    elif kind == "result":
        body = json.loads(capture.body)
        if isinstance(body, dict) and "success" in body:
            assert outcome.value == body.get("result")
            assert outcome.service_name == body["service"]["name"]
        else:
            assert outcome.value == body and not outcome.enveloped
    elif kind == "binary":
        assert outcome.path.read_bytes() == capture.body
        assert outcome.sha256 == hashlib.sha256(capture.body).hexdigest()
        assert outcome.content_type.startswith("image/jpeg")
        assert outcome.path.parent == tmp_path
    elif kind == "stream":
        lines = [json.loads(line) for line in capture.body.splitlines() if line.strip()]
        assert outcome.chunks == lines == chunks
        assert outcome.text == "".join(c["text"] for c in lines if c.get("type") == "text")
        assert outcome.complete
    elif capture.status is None:
        assert outcome.failure == "timeout"
        assert "no answer" in outcome.message
    else:  # not JSON: a bare HTTP error, or a 2xx that is not what a driver call answers
        assert outcome.failure == ("http" if capture.status >= 400 else "protocol")


# The same mistake made against both generations: different codes on the wire, one normalised code.
SAME_MISTAKE = {
    "err-unknown-method": "not_found",
    "err-unknown-interface": "not_found",
    "err-unknown-driver": "not_found",
    "err-missing-required-arg": "bad_request",
    "err-wrong-arg-type-ttl": "bad_request",
    "err-args-not-object": "bad_request",
}


@pytest.mark.parametrize("name", sorted(SAME_MISTAKE))
async def test_driver_error_codes_normalise_across_generations(name):
    by_key = {(c.generation, c.name): c for c in CAPTURES}
    outcomes = []
    for generation in ("v1", "v2"):
        capture = by_key[(generation, name)]
        async with Connection("http://127.0.0.1:9", token="t", transport=replay_transport(capture)) as connection:
            outcomes.append(await connection.call(request_of(capture)))
    v1, v2 = outcomes
    assert v1.kind == v2.kind == "driver_error"
    assert v1.status == 200 and v2.status >= 400
    assert v1.code != v2.code or v1.code == SAME_MISTAKE[name]
    assert v1.normalised_code == v2.normalised_code == SAME_MISTAKE[name]
