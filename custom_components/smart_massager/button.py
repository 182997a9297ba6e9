"""Pause and resume buttons, for devices that can pause.

Buttons rather than a "paused" switch: a switch has to show on or off at all times, and "paused =
off" would read as "running" on an idle massager. Two buttons say exactly what they do; the Status
sensor shows whether the session is paused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription

from pysmartmassager import Massager, SessionState

from .entity import MassagerEntity, MassagerEntityDescription, setup_from_table

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MassagerButtonDescription(ButtonEntityDescription, MassagerEntityDescription):
    """A button gated on a capability (has_fn)."""

    press_fn: Callable[[Massager], Awaitable[SessionState]]


BUTTONS: tuple[MassagerButtonDescription, ...] = (
    MassagerButtonDescription(
        key="pause",
        translation_key="pause",
        has_fn=lambda caps: caps.pause,
        press_fn=lambda massager: massager.pause(),
    ),
    MassagerButtonDescription(
        key="resume",
        translation_key="resume",
        has_fn=lambda caps: caps.pause,
        press_fn=lambda massager: massager.resume(),
    ),
)


class MassagerButton(MassagerEntity, ButtonEntity):
    """Pause or resume the session."""

    entity_description: MassagerButtonDescription

    async def async_press(self) -> None:
        """Send the command; the device refuses it when it does not fit the session's state."""
        await self.coordinator.async_command(self.entity_description.press_fn)


async_setup_entry = setup_from_table(MassagerButton, lambda _caps: BUTTONS)
