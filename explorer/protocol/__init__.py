"""The Puter driver protocol. The HTTP stack is not imported here, so `request` and `outcomes` stay free of it.

request    what a call sends, its timeouts and size limits (plain data)
outcomes   the five things a call can end in
interpret  status + body -> outcome (pure)
decoding   content decoding in bounded blocks, ndjson lines, JSON parsing off the loop
streaming  an ndjson answer read as it arrives: chunks delivered, a bounded tail kept, the lines saved
bodies     where a body goes: memory, the download folder or the caller's file; hashed, written off the loop
transport  client settings and transport errors as failures (shared by the connection and login)
login      user name + password -> token
client     Connection: discovery and `call`
catalog, origins   the merged catalogue; origins as users write them
server_values      values from an answer judged and quoted as data (names, kinds, bounded notes)
"""
