"""One decorator that turns library errors into translated Home Assistant errors."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Concatenate

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

if TYPE_CHECKING:
    from .entity import MassagerEntity


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


def massager_command[EntityT: MassagerEntity, **P](
    func: Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]],
) -> Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]]:
    """Wrap an entity command: library errors become translated Home Assistant errors.

    A refused token also schedules a reload, whose setup then starts the reauth flow.
    """

    async def wrapper(self: EntityT, /, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            await func(self, *args, **kwargs)
        except MassagerAuthenticationError as err:
            self.hass.config_entries.async_schedule_reload(self.coordinator.config_entry.entry_id)
            raise translate_error(err) from err
        except MassagerError as err:
            raise translate_error(err) from err

    return wrapper
