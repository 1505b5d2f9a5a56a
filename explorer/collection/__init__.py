"""Collections: saved calls as files, one call per file, and the runner that checks them against a server.

files        the file format: reading a call file (with line numbers for every problem) and writing one
paths        JSON paths ($.result.items[0]["a b"]) to read values out of an answer
expect       the expectations a file may state, checked against an outcome
run          running files in order against a session: substitutions, captures, repeats, a second origin
report       the summary, JUnit XML and JSON written from a run's results
convert      a history entry, a curl command or a puter.js snippet as a call file

The format is documented in the README ("Collections"); nothing here imports Textual.
"""
