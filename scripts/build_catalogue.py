"""Build explorer/protocol/catalogue.json from the two per-generation catalogue files.

Usage: python scripts/build_catalogue.py V1_JSON V2_JSON [OUT]

The output is our own format: one tree of interfaces -> services -> methods -> parameters, where every
service, method and parameter says in which server generations ("v1", "v2") it exists.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Placeholders that make a template useful to send as it is (by parameter name, then by type).
EXAMPLES_BY_NAME = {
    "key": "greeting",
    "value": "hello",
    "messages": [{"role": "user", "content": "Say hello"}],
    "model": "fake",
    "text": "Hello from puter-explorer",
    "prompt": "a small red square",
    "pathAndAmountMap": {"count": 1},
    "items": [{"key": "a", "value": 1}],
    "timestamp": 4102444800,
    "ttl": 60,
    "object": {"name": "example"},
    "source": "data:image/png;base64,",
}
# Where the server's default needs a provider a bare install does not have, the service that works
# without one (protocol rule 2: v1 AI interfaces need an explicit driver).
RECOMMENDED_SERVICE = {"v1": {"puter-chat-completion": "ai-chat", "puter-image-generation": "ai-image"}}
EXAMPLES_BY_TYPE = {"string": "", "number": 0, "flag": False, "json": None, "file": ""}


def build(v1: dict, v2: dict) -> dict:
    generations = {"v1": v1, "v2": v2}
    out: dict = {"format": 1, "interfaces": {}}
    for gen, data in generations.items():
        for iname, iface in data["interfaces"].items():
            entry = out["interfaces"].setdefault(
                iname, {"generations": [], "default": {}, "services": {}, "methods": {}}
            )
            entry["generations"].append(gen)
            entry["default"][gen] = iface.get("default")
            if iname in RECOMMENDED_SERVICE.get(gen, {}):
                entry.setdefault("recommended", {})[gen] = RECOMMENDED_SERVICE[gen][iname]
            for service in iface.get("drivers", []):
                entry["services"].setdefault(service, []).append(gen)
            for mname, method in iface.get("methods", {}).items():
                m = entry["methods"].setdefault(
                    mname, {"generations": [], "result": method.get("result"), "params": []}
                )
                m["generations"].append(gen)
                # v2 is what servers run today: its description of the result wins.
                m["result"] = method.get("result") or m["result"]
                m["streams"] = bool(method.get("streams")) or m.get("streams", False)
                m["binary"] = bool(method.get("binary")) or m.get("binary", False)
                by_name = {p["name"]: p for p in m["params"]}
                for pname, param in method.get("parameters", {}).items():
                    p = by_name.get(pname)
                    if p is None:
                        p = {"name": pname, "generations": []}
                        m["params"].append(p)
                        by_name[pname] = p
                    p["generations"].append(gen)
                    p["type"] = param.get("type") or p.get("type") or "json"
                    p.setdefault("required_in", [])
                    if not param.get("optional", True):
                        p["required_in"].append(gen)
                    example = EXAMPLES_BY_NAME.get(pname, EXAMPLES_BY_TYPE.get(p["type"]))
                    p["example"] = example
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    v1 = json.loads(Path(argv[1]).read_text())
    v2 = json.loads(Path(argv[2]).read_text())
    out_path = Path(argv[3]) if len(argv) > 3 else Path(__file__).parent.parent / "explorer/protocol/catalogue.json"
    out_path.write_text(json.dumps(build(v1, v2), indent=1, sort_keys=False) + "\n")
    print(f"wrote {out_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
