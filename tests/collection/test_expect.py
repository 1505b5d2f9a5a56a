"""Each expectation passes when it holds and says why when it does not."""

from __future__ import annotations

import pytest

from explorer.collection.expect import FormError, Observed, check, check_form
from explorer.collection.paths import Missing, lookup, remove

ANSWER = {"uid": "app-1", "name": "demo", "items": [1, 2, 3], "text": "hello world", "n": 2, "nothing": None,
          "odd key": True}


def result(answer=ANSWER, duration=10.0) -> Observed:
    return Observed("result", answer, duration_ms=duration)


@pytest.mark.parametrize("test, passes", [
    ({"path": "$.name", "equals": "demo"}, True),
    ({"path": "$.name", "equals": "other"}, False),
    ({"path": "$.n", "equals": 2.0}, True),
    ({"path": "$.items", "equals": [1, 2, 3]}, True),
    ({"path": "$.text", "contains": "world"}, True),
    ({"path": "$.text", "contains": "moon"}, False),
    ({"path": "$.items", "contains": 2}, True),
    ({"path": "$.uid", "matches": "^app-\\d$"}, True),
    ({"path": "$.uid", "matches": "^user-"}, False),
    ({"path": "$.items", "type": "array"}, True),
    ({"path": "$.n", "type": "integer"}, True),
    ({"path": "$.n", "type": "string"}, False),
    ({"path": "$.nothing", "type": "null"}, True),
    ({"path": "$.uid", "exists": True}, True),
    ({"path": "$.gone", "exists": True}, False),
    ({"path": "$.gone", "exists": False}, True),
    ({"path": "$.items[1]", "equals": 2}, True),
    ({"path": "$.items[9]", "equals": 2}, False),
    ({"path": '$["odd key"]', "equals": True}, True),
])
def test_value_tests(test, passes):
    failures = check({"values": [test]}, result())
    assert (failures == []) is passes
    if not passes:
        assert len(failures) == 1 and failures[0].startswith(test["path"])


def test_no_expectations_means_a_result():
    assert check({}, result()) == []
    [failure] = check({}, Observed("driver_error", {}, error_code="not_found", message="App not found"))
    assert failure == "expected a result, got a driver error: App not found"


def test_driver_error_code_and_kind_lists():
    seen = Observed("driver_error", {"code": "entity_not_found"}, error_code="entity_not_found")
    assert check({"error_code": ["not_found", "entity_not_found"]}, seen) == []
    assert check({"error_code": "not_found"}, seen) == ["error_code: expected 'not_found', got 'entity_not_found'"]
    assert check({"kind": ["result", "binary"]}, Observed("binary", content_type="image/png", size=10)) == []


def test_binary_stream_and_duration_bounds():
    audio = Observed("binary", content_type="audio/wav", size=16044, duration_ms=30.0)
    assert check({"content_type": "audio/", "size": {"min": 1000, "max": 20000}, "duration_ms": 100}, audio) == []
    assert check({"content_type": "image/"}, audio) == ["content_type: expected 'image/', got 'audio/wav'"]
    assert check({"kind": "binary", "size": {"max": 100}}, audio) == ["size: expected <= 100, got 16044"]
    assert check({"kind": "binary", "duration_ms": {"max": 5}}, audio) == ["duration_ms: expected <= 5, got 30"]
    stream = Observed("stream", [], text="a fake answer")
    assert check({"stream_contains": "fake"}, stream) == []
    assert check({"stream_contains": "real"}, stream)[0].startswith("stream text: expected to contain 'real'")


@pytest.mark.parametrize("expect, keys", [
    ({"colour": 1}, ("colour",)),
    ({"size": "big"}, ("size",)),
    ({"values": [{"path": "$", "equals": 1, "contains": 1}]}, ("values", 0)),
    ({"values": [{"path": "$", "type": "thing"}]}, ("values", 0)),
    ({"values": [{"path": "$", "matches": "("}]}, ("values", 0)),
])
def test_forms_the_format_does_not_know(expect, keys):
    with pytest.raises(FormError) as error:
        check_form(expect)
    assert error.value.keys == keys


def test_paths_read_and_remove():
    assert lookup(ANSWER, "$") is ANSWER and lookup(ANSWER, "$.items[2]") == 3
    with pytest.raises(Missing):
        lookup(ANSWER, "$.items.length")
    assert remove({"a": {"b": 1, "c": 2}}, "$.a.b") == {"a": {"c": 2}}
    assert remove([{"id": 1}], "$[0].id") == [{}]
