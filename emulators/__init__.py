"""Device emulators: development and test tools, never shipped to users.

One sub-package per wire protocol. They import nothing from Home Assistant and nothing from the
client library, so the library is tested against an independent implementation of each protocol.
"""
