"""Integration tests: the real Home Assistant test harness against the emulator over loopback."""
