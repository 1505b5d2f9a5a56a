"""The OCR driver: the sample answer real servers give in test mode, and no provider otherwise."""

from __future__ import annotations

import json
from typing import Any

from .base import Call, Driver, DriverFailure, no_implementation

OCR_SAMPLE = {
    "blocks": [
        {
            "type": "text/puter:sample-output",
            "confidence": 1,
            "text": "test_mode is enabled; this is a sample OCR response.",
        }
    ]
}


class OCR(Driver):
    description = "Optical character recognition."

    def m_recognize(self, call: Call) -> Any:
        if call.test_mode:
            return json.loads(json.dumps(OCR_SAMPLE))
        if call.generation == "v1":
            raise no_implementation(call.interface)
        raise DriverFailure("internal_error", "No OCR provider configured", 500)
