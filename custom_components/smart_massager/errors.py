"""Library errors as the translated Home Assistant errors a user sees.

The coordinator's one command path uses it for every command.
"""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from pysmartmassager import (
    MassagerAuthenticationError,
    MassagerConnectionError,
    MassagerError,
    MassagerInvalidRequestError,
    MassagerInvalidStateError,
    MassagerTimeoutError,
)

from .const import DOMAIN


def allowed_text(allowed: object) -> str:
    """The device's `allowed` (ids, or a {min, max, step} range) as words for a message."""
    if isinstance(allowed, dict) and {"min", "max"} <= allowed.keys():
        return f"{allowed['min']}-{allowed['max']}"
    if isinstance(allowed, list):
        return ", ".join(str(item) for item in allowed)
    return "-"


def translate_error(err: MassagerError) -> HomeAssistantError:
    """The Home Assistant error a user sees for a library error."""
    if isinstance(err, MassagerInvalidStateError):
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_state",
            translation_placeholders={"message": str(err)},
        )
    if isinstance(err, MassagerInvalidRequestError):
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_request",
            translation_placeholders={
                "message": str(err),
                "allowed": allowed_text(err.allowed),
            },
        )
    if isinstance(err, MassagerAuthenticationError):
        return HomeAssistantError(
            translation_domain=DOMAIN, translation_key="authentication_failed"
        )
    if isinstance(err, MassagerTimeoutError):
        return HomeAssistantError(translation_domain=DOMAIN, translation_key="timeout")
    if isinstance(err, MassagerConnectionError):
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="communication_error",
            translation_placeholders={"error": str(err)},
        )
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="unexpected_response",
        translation_placeholders={"error": str(err)},
    )
