"""Tuya Wi-Fi massagers over Tuya's local protocol (3.3, 3.4, 3.5), with push."""
