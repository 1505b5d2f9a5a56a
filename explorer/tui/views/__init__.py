"""Pure functions from a call to what the widgets show (no widgets, no I/O besides reading a saved head)."""
