"""One widget per module; widgets tell the screen what happened with messages."""
