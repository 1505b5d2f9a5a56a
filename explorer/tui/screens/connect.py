"""The connect screen, shown first when no token is configured: the demo server, an API origin and a
token, or a login on a self-hosted Puter. Errors stay on the screen with what was typed, for a retry.

Keyboard first: 1, 2 and 3 open a way (its number is in its tab label and the footer) and put the cursor in
its first empty field; Enter connects; Escape goes back to the tab bar, where the arrows move between ways."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Static, TabbedContent, TabPane, Tabs

from ...connect import DEFAULT_GUI_ORIGIN, Choice, DemoChoice, LoginChoice, TokenChoice
from ...protocol.origins import DEFAULT_API_ORIGIN
from ...terminal_text import clean

OpenChoice = Callable[[Choice], Awaitable[Any]]

TABS = {"connect-demo": "#demo-start", "connect-token": "#token-connect", "connect-login": "#login-connect"}
TAB_ORDER = tuple(TABS)


class ConnectScreen(Screen[Any]):
    """Dismissed with the opened session."""

    DEFAULT_CSS = """
    ConnectScreen {
        align: center middle;
    }

    #connect-dialog {
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 2;
    }

    #connect-title {
        padding: 1 0 0 0;
    }

    #connect-tabs {
        height: auto;
        margin-top: 1;
    }

    #connect-tabs TabPane {
        height: auto;
        padding: 1 0 0 0;
    }

    #connect-tabs VerticalScroll {
        height: auto;
    }

    #connect-tabs Label {
        padding: 0 1;
    }

    .connect-row {
        height: auto;
    }

    .connect-row Vertical {
        height: auto;
    }

    #connect-message {
        height: auto;
        min-height: 1;
        margin: 1 0;
    }

    /* A short terminal (24 lines): one-line fields and no spacing, so that the button stays on screen. */
    ConnectScreen.-short #connect-title, ConnectScreen.-short #connect-tabs TabPane {
        padding: 0;
    }
    ConnectScreen.-short #connect-tabs {
        margin-top: 0;
    }
    ConnectScreen.-short #connect-tabs Input {
        border: none;
        height: 1;
        padding: 0 1;
        background: $panel;  /* without a border, the field is told from its label by its colour */
    }
    ConnectScreen.-short #connect-message {
        margin: 0;
    }
    """
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    BINDINGS = [
        Binding("1", "open_tab('connect-demo')", "Demo"),
        Binding("2", "open_tab('connect-token')", "Token"),
        Binding("3", "open_tab('connect-login')", "Login"),
        Binding("escape", "focus_tabs", "Tabs"),
        Binding("left", "step_tab(-1)", "Previous way", show=False),
        Binding("right", "step_tab(1)", "Next way", show=False),
    ]

    HELP = """\
## Connect
No token is configured, so choose a server. Keys: **1**, **2**, **3** open a way and put the cursor in its
first empty field, **Enter** connects, **Escape** goes to the tab bar, **←/→** move between the ways there.

- **Demo server**: the built-in demo driver server on a free loopback port (no account, no network).
- **API origin + token**: e.g. `https://api.puter.com` and the token from the dashboard.
- **Self-hosted login**: the GUI origin of your Puter, a username and a password.

The last two are checked with the server first (`GET /whoami` on the API origin); only what it accepts is
saved as a profile (`profiles.json`, readable only by you) and made current, so the next start connects
directly. A refusal is shown here with the server's words, and nothing is saved. The token and the password
are never shown.
"""

    def __init__(self, open_choice: OpenChoice, *, note: str | None = None) -> None:
        super().__init__()
        self._open_choice = open_choice
        self._note = note or "No token is configured (no --token, no PUTER_AUTH_TOKEN, no profile with a token)."
        self._return_focus: Widget | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="connect-dialog"):
            yield Static(Text("Connect to a Puter server", style="bold"), id="connect-title")
            yield Static(Text(self._note, style="dim"), id="connect-note")
            with TabbedContent(id="connect-tabs"):
                with TabPane("1 Demo server", id="connect-demo"):
                    with VerticalScroll(can_focus=False):
                        yield Static(Text(
                            "Start the built-in demo driver server on a free loopback port and connect to it.\n"
                            "No account and no network needed; nothing is saved as a profile."
                        ))
                        yield Button("Start the demo server", variant="primary", id="demo-start")
                with TabPane("2 API origin + token", id="connect-token"):
                    with VerticalScroll(can_focus=False):
                        yield Label("API origin")
                        yield Input(DEFAULT_API_ORIGIN, id="token-origin")
                        yield Label("Token (hidden)")
                        yield Input(password=True, placeholder="auth token", id="token-value")
                        yield Label("Save as profile")
                        yield Input(placeholder="profile name (default: the origin's host)", id="token-profile")
                        yield Button("Connect", variant="primary", id="token-connect")
                with TabPane("3 Self-hosted login", id="connect-login"):
                    with VerticalScroll(can_focus=False):
                        yield Label("GUI origin")
                        yield Input(DEFAULT_GUI_ORIGIN, id="login-origin")
                        with Horizontal(classes="connect-row"):
                            with Vertical():
                                yield Label("Username")
                                yield Input(placeholder="username or email", id="login-username")
                            with Vertical():
                                yield Label("Password (hidden)")
                                yield Input(password=True, placeholder="password", id="login-password")
                        with Horizontal(classes="connect-row"):
                            with Vertical():
                                yield Label("Save as profile")
                                yield Input(placeholder="default: the GUI host", id="login-profile")
                            with Vertical():
                                yield Label("API origin")
                                yield Input(placeholder="default: api. + the GUI host", id="login-api-origin")
                        yield Button("Log in", variant="primary", id="login-connect")
            yield Static(id="connect-message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#demo-start", Button).focus()

    # -- keys ----------------------------------------------------------------------------------

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#connect-tabs", TabbedContent)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In a field, digits and arrows are typing: the footer leaves them out there and offers Escape instead.
        if action in ("open_tab", "step_tab") and isinstance(self.focused, Input):
            return None
        return True

    def action_open_tab(self, tab: str) -> None:
        """Show the way `tab` and put the cursor where typing starts: its first empty field, else its button."""
        self.tabs.active = tab
        pane = self.tabs.get_pane(tab)
        empty = [field for field in pane.query(Input) if not field.value]
        target: Widget = empty[0] if empty else pane.query_one(TABS[tab], Button)
        target.focus()  # the pane is shown already: setting `active` switches it at once

    def action_step_tab(self, step: int) -> None:
        active = self.tabs.active or TAB_ORDER[0]
        self.tabs.active = TAB_ORDER[(TAB_ORDER.index(active) + step) % len(TAB_ORDER)]
        self.action_focus_tabs()

    def action_focus_tabs(self) -> None:
        self.tabs.query_one(Tabs).focus()

    # -- what was chosen -----------------------------------------------------------------------

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    def _choice(self, tab: str) -> Choice:
        if tab == "connect-token":
            return TokenChoice(self._value("#token-origin"), self._value("#token-value"), self._value("#token-profile"))
        if tab == "connect-login":
            return LoginChoice(
                self._value("#login-origin"), self._value("#login-username"), self._value("#login-password"),
                self._value("#login-profile"), self._value("#login-api-origin"),
            )
        return DemoChoice()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        for tab, button in TABS.items():
            if event.button.id == button[1:]:
                self.connect(tab)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.connect(self.query_one(TabbedContent).active or "connect-demo")

    def connect(self, tab: str) -> None:
        """Open a session for the form of `tab` in the background; the screen stays usable."""
        self._return_focus = self.focused
        self._set_busy(True)
        self.show_message(Text("connecting…", style="italic"))
        self.run_worker(self._connect(self._choice(tab)), group="connect", exclusive=True, exit_on_error=False)

    async def _connect(self, choice: Choice) -> None:
        try:
            session = await self._open_choice(choice)
        except Exception as error:  # shown inline; what was typed stays for another try
            message = str(error) or type(error).__name__
            self.show_message(Text(clean(f"Not connected: {message}"), style="bold red"))
            self._set_busy(False)
            if self._return_focus is not None and self._return_focus.is_attached:
                self._return_focus.focus()  # back where the user was, to correct and press Enter again
            return
        self.dismiss(session)

    def show_message(self, text: Text) -> None:
        self.query_one("#connect-message", Static).update(text)

    @property
    def message(self) -> str:
        content = self.query_one("#connect-message", Static).content
        return content.plain if isinstance(content, Text) else str(content)

    def _set_busy(self, busy: bool) -> None:
        for button in self.query(Button):
            button.disabled = busy
