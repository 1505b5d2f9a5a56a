"""The Puter driver protocol. The HTTP stack is not imported here, so `request` and `outcomes` stay free of it.

request    what a call sends, its timeouts and size limits (plain data)
outcomes   the five things a call can end in
interpret  status + body -> outcome (pure)
decoding   content decoding in bounded blocks, ndjson lines, JSON parsing off the loop
bodies     where a body goes: memory, the download folder or the caller's file; hashed, written off the loop
transport  client settings and transport errors as failures (shared by the connection and login)
login      user name + password -> token
client     Connection: discovery and `call`
catalog, origins   the merged catalogue; origins as users write them
"""

import sys


class _WithoutHttpxCommandLine:
    """httpx's package loads its command-line client (click, rich, pygments: about 45 ms) whenever those are
    installed, and uvicorn brings click. Nothing here runs that client: refusing its module makes httpx
    keep its own stand-in `main` (it catches the ImportError), so loading the HTTP stack costs only the stack."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        if name == "httpx._main":
            raise ImportError("httpx's command-line client is not used by this program")
        return None


if _WithoutHttpxCommandLine not in sys.meta_path:
    sys.meta_path.insert(0, _WithoutHttpxCommandLine)  # type: ignore[arg-type]
