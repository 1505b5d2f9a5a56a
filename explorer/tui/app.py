"""The Textual application: composition, app-wide bindings and the session's lifetime. Kept thin:
behaviour lives in screens/ and widgets/."""

from __future__ import annotations

import asyncio
import inspect
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Union

from textual import work
from textual.app import App
from textual.widget import Widget

from . import keymap
from .keymap import read_user_keymap
from ..terminal_text import clean
from .screens.main import MainScreen

# Only what the first frame shows is imported above; the panes, the other screens, the command palette's
# providers, the session and what it needs (the HTTP client, the history) are imported when first used.
if TYPE_CHECKING:
    from ..protocol.catalog import Catalog
    from .commands import EntryCommands, MethodCommands
    from .seams import ExplorerSession
    from .widgets.catalog_tree import MethodRef


# The command palette's providers, as callables Textual calls when the palette first opens.
def _method_commands() -> type[MethodCommands]:
    from .commands import MethodCommands

    return MethodCommands


def _entry_commands() -> type[EntryCommands]:
    from .commands import EntryCommands

    return EntryCommands


# What closing the dialog about an unreadable profiles file does.
GO_ON_WITHOUT = ("Nothing was changed. q quits; Escape goes on without the profiles: with the command line's "
                 "--origin/--token and PUTER_API_ORIGIN/PUTER_AUTH_TOKEN where they say, else asking where to "
                 "connect.")

# The connect screen's line when it is shown because of an unreadable profiles file (saving would overwrite it).
NOT_SAVED = ("The profiles file cannot be read, so no token or login can be saved to it until it is fixed or "
             "removed: the demo server works.")

# Called with no argument for the configured server, or with a connect-screen choice (`connect.Choice`).
SessionFactory = Callable[..., Union["ExplorerSession", Awaitable["ExplorerSession"]]]


class ExplorerApp(App[None]):
    CSS_PATH = "explorer.tcss"
    # Scrolling containers and views take the focus (their keys scroll, open, save) but draw nothing for it:
    # a tint says where it is (a tint needs a background: the transparent ones get a light one).
    CSS = """
    VerticalScroll:focus {
        background-tint: $foreground 5%;
    }
    DriverView:focus, DriverView VerticalScroll:focus, OutcomeView VerticalScroll:focus {
        background: $boost;
    }
    """
    TITLE = "puter-explorer"
    COMMANDS = App.COMMANDS | {_method_commands, _entry_commands}
    BINDINGS = keymap.bindings("help")
    HELP = """\
## Puter explorer
Browse the driver interfaces of a Puter server, call their methods and inspect what came back.
Tree on the left, args editor in the middle, calls and their outcomes on the right.
**ctrl+p** opens the command palette: type a method name to open it, or `export:` / `history:`
for what can be done with the call selected in the history (copy as curl, httpx or puter.js; mark; diff).
"""

    def __init__(
        self,
        session: ExplorerSession | None = None,
        *,
        session_factory: SessionFactory | None = None,
        keymap: dict[str, str] | None = None,
        keymap_problem: str | None = None,
        origin_label: str | None = None,
        connect_first: bool = False,
        asks_without_profiles: Callable[[], bool] | None = None,
        connect_note: str | None = None,
    ) -> None:
        """Give a ready `session` (the caller closes it) or a `session_factory` (the app closes what it made).

        With `connect_first`, the connect screen asks which server to use and the factory is called with
        that choice; otherwise it is called without arguments. `origin_label` replaces the origin shown
        in the status bar (for stable screenshots). When the profiles file cannot be read and the user goes
        on without it, the factory is called with `without_profiles=True`, and `asks_without_profiles` says
        whether the connect screen must ask first (default: when the environment names no token).
        `connect_note` replaces the connect screen's line saying why it asks.
        """
        super().__init__()
        if (session is None) == (session_factory is None):
            raise ValueError("give either a session or a session_factory")
        self.session: ExplorerSession | None = session
        self._session_factory = session_factory
        self._owns_session = session is None
        self.user_keymap = dict(keymap or {})
        self.keymap_problem = keymap_problem  # said once the app is up
        self._origin_label = origin_label
        self._connect_first = connect_first and session is None
        # Connecting starts once the main screen can take a session and the first frame is out.
        self._before_connecting = {"screen", "first frame"}
        # Set when the first attempt to connect has ended: attached, or why not is on screen.
        self.connect_settled = asyncio.Event()
        # The profiles file could not be read and the user chose to go on without it.
        self._without_profiles = False
        self._asks_without_profiles = asks_without_profiles or _environment_names_no_token
        self._connect_note = connect_note

    def get_default_screen(self) -> MainScreen:
        return MainScreen()

    @property
    def main_screen(self) -> MainScreen:
        return self._main_screen()

    def _main_screen(self) -> MainScreen:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("the main screen is not installed")

    @property
    def connect_first(self) -> bool:
        """Whether the app waits for the connect screen's choice before it connects."""
        return self._connect_first

    @property
    def catalog(self) -> Catalog | None:
        return self._main_screen().catalog

    def on_mount(self) -> None:
        if self.user_keymap:
            self.set_keymap(keymap.validate_keymap(self.user_keymap))
        if self.keymap_problem:
            self.notify(clean(self.keymap_problem), title="Keymap", severity="warning", markup=False, timeout=15)

    def on_main_screen_ready(self, event: MainScreen.Ready) -> None:
        # The screen's widgets exist: ask where to connect, or open the session and fill them.
        if self._connect_first:
            from .screens.connect import ConnectScreen

            self.push_screen(ConnectScreen(self._open_choice, note=self._connect_note), self._chosen)
        else:
            self._connect_after("screen")

    def on_ready(self) -> None:
        # Textual's Ready: the first frame has been drawn. The main screen's panes, and what the session
        # needs (the HTTP stack, the history, the demo server), are built and started only now, so they
        # never hold that frame back.
        self._main_screen().build_panes()
        self._connect_after("first frame")

    def _connect_after(self, step: str) -> None:
        self._before_connecting.discard(step)
        if not self._before_connecting and not self._connect_first:
            self._start_connecting()

    def _start_connecting(self) -> None:
        self.run_worker(self._connect(), name="connect", group="session", exit_on_error=False)

    async def _open_choice(self, choice: Any) -> Any:
        made = self._session_factory(choice)  # type: ignore[misc]
        return await made if inspect.isawaitable(made) else made

    def _chosen(self, session: ExplorerSession) -> None:
        self.session = session
        self._start_connecting()

    async def _connect(self) -> None:
        try:
            if self.session is None:
                self.session = await self._open_configured()
            await self._main_screen().attach(self.session, origin_label=self._origin_label)
        except Exception as error:  # shown to the user; the app stays usable for reading history
            self._not_connected(error)
        finally:
            self.connect_settled.set()

    async def _open_configured(self) -> ExplorerSession:
        """The session for the configured server; once the user has chosen to go on without an unreadable
        profiles file, made as if there were no profiles (flags and environment only)."""
        if self._without_profiles:
            made = self._session_factory(without_profiles=True)  # type: ignore[misc]
        else:
            made = self._session_factory()  # type: ignore[misc]
        return await made if inspect.isawaitable(made) else made

    def _not_connected(self, error: Exception) -> None:
        from ..config import ConfigError, ProfilesUnreadable
        from ..history import HistoryError
        from .screens.problem import ProblemScreen

        if isinstance(error, HistoryError):
            self.push_screen(ProblemScreen("The history file cannot be used", clean(str(error))))
        elif isinstance(error, ProfilesUnreadable) and not self._without_profiles:
            # Escape (or the button) goes on as if there were no profiles, saying why once more; q quits.
            message = clean(str(error))
            screen = ProblemScreen("The profiles file cannot be used", message, closing=GO_ON_WITHOUT,
                                   close_label="Go on without it")
            self.push_screen(screen, lambda _: self._go_on_without_profiles(message))
        elif isinstance(error, ConfigError):
            self.push_screen(ProblemScreen("The profiles file cannot be used", clean(str(error))))
        else:
            self.log.error("could not open the session", error)
            self.notify(clean(f"{type(error).__name__}: {error}"), title="Not connected", severity="error",
                        markup=False, timeout=30)

    @work(group="without-profiles", exit_on_error=False, description="go on without the profiles")
    async def _go_on_without_profiles(self, problem: str) -> None:
        """Connect as a start without profiles would: to what the flags and environment name, else ask where."""
        self._without_profiles = True
        ask = await asyncio.to_thread(self._asks_without_profiles)  # reads the profiles file: not on the loop
        if ask:
            from .screens.connect import ConnectScreen

            self.push_screen(ConnectScreen(self._open_choice, note=NOT_SAVED), self._chosen)
        else:
            self._start_connecting()
        self.notify(f"Going on without the profiles: {problem}", title="Profiles not read", severity="warning",
                    markup=False, timeout=30)

    async def on_unmount(self) -> None:
        if self._owns_session and self.session is not None:
            await self.session.aclose()

    # -- app-wide actions ----------------------------------------------------------------------

    def open_method(self, ref: MethodRef) -> None:
        self._main_screen().open_method(ref)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        keys = {binding_id: spec[0] for binding_id, spec in keymap.DEFAULT_BINDINGS.items()}
        keys.update(self.user_keymap)
        rows = [(keys[i], keymap.HELP_DESCRIPTIONS.get(i, keymap.DEFAULT_BINDINGS[i][2])) for i in keymap.BINDING_IDS]
        rows.append((self.COMMAND_PALETTE_BINDING, "Command palette (open any method; export: and history: actions)"))
        self.push_screen(HelpScreen(rows, self._focused_help()))

    def _focused_help(self) -> str:
        node: Any = self.focused
        while node is not None and isinstance(node, Widget):
            if node.HELP:
                return node.HELP
            node = node.parent
        return self.HELP


def _environment_names_no_token() -> bool:
    from ..config import ProfileStore
    from ..connect import needs_connect

    return needs_connect(store=ProfileStore(unreadable="empty"))


def run_tui(
    session_factory: SessionFactory, *, keymap: dict[str, str] | None = None, connect_first: bool = False,
    asks_without_profiles: Callable[[], bool] | None = None, connect_note: str | None = None,
) -> None:
    """Run the TUI. `session_factory` makes the session inside the app's event loop (sync or async);
    with `connect_first` it is given the choice made on the connect screen.

    Without `keymap`, the user's keymap file (`keymap.json` in the config folder) is used if present.
    """
    problem = None
    if keymap is None:
        from .. import paths

        keymap, problem = read_user_keymap(paths.keymap_path())
    from .graphics import prepare_terminal_graphics

    prepare_terminal_graphics()  # before the app reads the terminal's input itself
    ExplorerApp(session_factory=session_factory, keymap=keymap, keymap_problem=problem,
                connect_first=connect_first, asks_without_profiles=asks_without_profiles,
                connect_note=connect_note).run()
