"""Exceptions raised by the Smart Massager client; every failure is one of these."""

from __future__ import annotations


class MassagerError(Exception):
    """Base class: catch this to handle every library failure."""


class MassagerConnectionError(MassagerError):
    """The device could not be reached, or the connection broke."""


class MassagerTimeoutError(MassagerConnectionError):
    """The device did not answer within the request timeout."""


class MassagerAuthenticationError(MassagerError):
    """The device refused the token (missing, wrong or revoked): pair again."""


class MassagerPairingNotEnabledError(MassagerError):
    """Pairing was asked for while the device was not in pairing mode."""


class MassagerResponseError(MassagerError):
    """The device answered something the protocol does not allow (malformed JSON, a 5xx, ...)."""


class MassagerInvalidRequestError(MassagerError):
    """The device refused a request as invalid; nothing changed on the device.

    `code` is the machine-readable reason (the reference protocol's error code, or one of the same
    vocabulary a transport chose: `invalid_value`, `not_supported`, `session_active`, ...), `field`
    the setting at fault (if one was), `allowed` the valid ids or a {min, max, step} range. No
    transport's wire detail (an HTTP status, a Tuya or MIoT error number) belongs here.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        field: str | None = None,
        allowed: object = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.allowed = allowed


class MassagerInvalidStateError(MassagerInvalidRequestError):
    """The request does not fit the session's state (start while running, resume when idle)."""
