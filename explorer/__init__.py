"""puter-explorer: a terminal UI and a command line for the Puter driver API."""

import logging

# Library code logs; nothing is printed unless the program using it configures logging (the CLI writes its
# own error log, and a warning printed over the TUI would break its screen).
logging.getLogger("explorer").addHandler(logging.NullHandler())
