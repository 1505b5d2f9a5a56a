"""The Puter driver protocol. Nothing is imported here, so `request` and `outcomes` stay free of the HTTP stack.

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
