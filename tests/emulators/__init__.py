"""Client library and emulator tests: real loopback TCP, no Home Assistant."""
