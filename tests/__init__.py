"""Tests for the Smart Massager integration, its client library and its emulator."""
