"""What the TUI needs of a session, as types: the app, its screens and widgets depend on these, not on
`explorer.session`, so that the first frame imports no HTTP client or database.

`explorer.session.Session` is the one implementation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..history import Entry, EntryFilter
    from ..model_lists import ModelList
    from ..protocol.catalog import Catalog
    from ..protocol.outcomes import Outcome
    from ..protocol.request import CallRequest


@runtime_checkable
class HistorySource(Protocol):
    """Past calls, read in thread workers (every method here blocks)."""

    recorded_here: set[int]  # entries of this program's own calls (the rest come from other programs)

    def entries(self, *, limit: int, before_id: int | None = None, filter: EntryFilter | None = None) -> list[Entry]:
        ...

    def entry_value(self, entry_id: int) -> Any:
        """What a recorded call gave back; LookupError when it is not recorded."""
        ...

    def entry(self, entry_id: int) -> Entry | None: ...

    def entry_call(self, entry_id: int) -> dict[str, Any]:
        """A recorded call's request and answer, as a diff compares them; LookupError when it is not recorded."""
        ...


@runtime_checkable
class ExplorerSession(HistorySource, Protocol):
    """A connection to one server, with the history its calls are recorded in."""

    profile: str
    history: Any  # the store, or None when calls are not recorded
    history_problem: str | None
    download_problem: str | None

    @property
    def origin(self) -> str: ...

    async def discover(self) -> Catalog: ...

    def request_preview(self, request: CallRequest) -> dict[str, Any]: ...

    async def call(
        self,
        request: CallRequest,
        *,
        on_chunk: Callable[[Any], None] | None = None,
        replay_of: int | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> tuple[int | None, Outcome]: ...

    async def replay(
        self,
        entry_id: int,
        *,
        args: Any = None,
        origin: str | None = None,
        on_chunk: Callable[[Any], None] | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> tuple[int | None, Outcome]: ...

    async def models(self, interface: str, service: str | None) -> ModelList:
        """The models the server lists for `interface`, read without a history entry."""
        ...

    async def aclose(self) -> None: ...
