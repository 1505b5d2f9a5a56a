"""Replays captured requests against the demo server: same status, same body shape as the real servers.

Error answers with a fixed text must match the capture exactly; successful answers must have the same
key structure (values are the demo's own).
"""

from __future__ import annotations

import json

import httpx
import pytest

from tests.demo.talk import shape
from tests.puter_fixtures import FIXTURES_DIR, Capture, load

REDACTED = "REDACTED.TOKEN.VALUE"
DROPPED_HEADERS = {"host", "content-length", "user-agent", "accept"}

# In order: later captures rely on the state earlier ones leave (as when they were taken).
V2_SEQUENCE = """
kv-set kv-set-object kv-set-with-driver-field kv-set-with-service-field kv-get kv-get-obj kv-get-missing
kv-get-auth-in-body auth-query-param auth-x-api-key-header
kv-incr kv-incr-again kv-incr-path kv-decr kv-list-keys kv-list kv-list-pattern kv-list-paginated
kv-update kv-add kv-remove kv-batchPut kv-del kv-expire kv-expireAt
chat-complete-fake chat-complete-fake-provider chat-complete-test_mode-toplevel chat-complete-costly
chat-complete-no-model chat-complete-unknown-model chat-list chat-models
ocr-recognize-test_mode ocr-recognize-nokey ocr-recognize-test_mode-toplevel
notifications-select apps-select-user tts-list_voices
err-args-not-object err-missing-args-field err-missing-interface err-missing-method err-missing-required-arg
err-set-missing-value err-unknown-driver err-unknown-interface err-unknown-method err-lifecycle-method
err-wrong-arg-type-ttl err-wrong-arg-type-key err-wrong-arg-type-incr err-wrong-type-interface err-empty-body
err-bad-json err-text-plain-body err-no-auth err-list-interfaces-no-auth err-bad-token-wrong-signature
err-get-on-call list-interfaces lsmod kv-flush-temp-user
""".split()

V1_SEQUENCE = """
kv-set kv-set-object kv-set-with-driver-field kv-set-with-service-field kv-get kv-get-obj kv-get-missing
auth-token-in-body auth-query-param kv-incr kv-incr-again kv-incr-path kv-decr kv-list-keys kv-list
kv-list-values kv-del kv-expire kv-expireAt call-any-origin hello-world-greet hello-world-greet-service-field
chat-list chat-models notifications-select
err-args-not-object err-missing-args-field err-missing-interface err-missing-method err-missing-required-arg
err-set-missing-value err-unknown-driver err-unknown-interface err-unknown-method err-wrong-arg-type-ttl
err-wrong-arg-type-key err-wrong-arg-type-incr err-empty-body err-bad-json err-call-without-origin-header
err-no-auth err-list-interfaces-no-auth err-bad-token-garbage err-bad-token-head-token
err-x-api-key-header-not-supported err-chat-no-service-field-complete-fake err-chat-no-service-field-list
err-chat-no-service-field-models err-chat-no-service-field-complete-test_mode image-generate-test_mode
video-generate-test_mode version-get_version ocr-recognize-test_mode ocr-recognize-nokey list-interfaces
kv-flush-temp-user
""".split()

# Answers whose whole body must equal the capture (fixed texts, no ids or generated values).
EXACT = {
    "v2": """chat-complete-no-model chat-complete-unknown-model ocr-recognize-test_mode ocr-recognize-nokey
    ocr-recognize-test_mode-toplevel err-args-not-object err-missing-args-field err-missing-interface
    err-missing-method err-missing-required-arg err-set-missing-value err-unknown-driver err-unknown-interface
    err-unknown-method err-lifecycle-method err-wrong-arg-type-ttl err-wrong-arg-type-key err-wrong-arg-type-incr
    err-wrong-type-interface err-empty-body err-bad-json err-text-plain-body err-no-auth
    err-list-interfaces-no-auth err-bad-token-wrong-signature err-get-on-call kv-set kv-get-missing kv-expire
    kv-expireAt kv-batchPut kv-del kv-incr kv-incr-again kv-decr kv-incr-path chat-list""".split(),
    "v1": """err-args-not-object err-missing-args-field err-missing-interface err-missing-method
    err-missing-required-arg err-set-missing-value err-unknown-driver err-unknown-interface err-unknown-method
    err-wrong-arg-type-ttl err-wrong-arg-type-key err-wrong-arg-type-incr err-empty-body err-no-auth
    err-list-interfaces-no-auth err-bad-token-garbage err-bad-token-head-token err-x-api-key-header-not-supported
    err-chat-no-service-field-complete-fake err-chat-no-service-field-list err-chat-no-service-field-models
    err-chat-no-service-field-complete-test_mode image-generate-test_mode video-generate-test_mode
    version-get_version ocr-recognize-test_mode ocr-recognize-nokey kv-set kv-get-missing kv-expire kv-expireAt
    kv-del kv-incr kv-incr-again kv-decr kv-incr-path hello-world-greet hello-world-greet-service-field
    call-any-origin""".split(),
}


# Answers keyed by interface name: the demo serves fewer interfaces than a real server.
SERVED_SUBSET = {"list-interfaces", "lsmod"}


def fits(got: object, want: object, subset: bool = False) -> bool:
    """Same key structure; an empty list in the capture fits any list; with `subset`, the top-level
    (or `interfaces`) keys of the demo may be fewer than the capture's."""
    if want == []:
        return isinstance(got, list)
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return False
        if subset and set(want) == {"interfaces"}:
            return set(got) == {"interfaces"} and fits(got["interfaces"], want["interfaces"], subset=True)
        if subset:
            return bool(got) and set(got) <= set(want) and all(fits(got[k], want[k]) for k in got)
        return set(got) == set(want) and all(fits(got[k], want[k]) for k in want)
    if isinstance(want, list):
        return isinstance(got, list) and bool(got) and fits(got[0], want[0])
    return got == want


def replay(http: httpx.Client, capture: Capture, token: str) -> httpx.Response:
    # A "bad token" capture sent the right shape of token with a wrong value: keep it wrong here.
    stand_in = "not-the-demo-token" if capture.name.startswith("err-bad-token") else token
    headers = {
        k: v.replace(REDACTED, stand_in) for k, v in capture.request_headers if k.lower() not in DROPPED_HEADERS
    }
    body = capture.request_body.replace(REDACTED.encode(), stand_in.encode())
    path = capture.request_path.replace(REDACTED, stand_in)
    return http.request(capture.request_method, path, headers=headers, content=body or None)


def comparable(body: bytes, content_type: str) -> object:
    if "json" in content_type:
        return json.loads(body)
    return body.decode()


@pytest.mark.parametrize("generation", ["v2", "v1"])
def test_replayed_captures_answer_like_the_real_server(make_demo_server, generation):
    server = make_demo_server(generation=generation)
    sequence = V2_SEQUENCE if generation == "v2" else V1_SEQUENCE
    mismatches = []
    with httpx.Client(base_url=server.origin, timeout=10) as http:
        for name in sequence:
            capture = load(FIXTURES_DIR / generation / f"{name}.txt")
            answer = replay(http, capture, server.token)
            want_type = (capture.header("content-type") or "").split(";")[0]
            got_type = answer.headers.get("content-type", "").split(";")[0]
            if answer.status_code != capture.status or got_type != want_type:
                mismatches.append(f"{name}: {answer.status_code} {got_type} != {capture.status} {want_type}")
                continue
            want, got = comparable(capture.body, want_type), comparable(answer.content, got_type)
            if name in EXACT[generation]:
                if got != want:
                    mismatches.append(f"{name}: body {got!r} != {want!r}")
            elif not fits(shape(got), shape(want), subset=name in SERVED_SUBSET):
                mismatches.append(f"{name}: shape {shape(got)} != {shape(want)}")
    assert not mismatches, "\n".join(mismatches)
