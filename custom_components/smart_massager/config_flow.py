"""Config flow: one flow made of every transport's steps; the registry says which runs when.

Each family's steps live beside its schemas and checks (`<id>_flow.py`, a mixin); this module
composes them, builds the add menu from the registry, and sends reauth and reconfigure to the
entry's family. The options flow is the session defaults plus what a family adds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)

from pysmartmassager import LevelRange

from .const import CONF_DEFAULT_INTENSITY, CONF_DEFAULT_MINUTES, CONF_INSTALL_SENTENCES, DOMAIN
from .coordinator import MassagerConfigEntry
from .entities_flow import EntitiesFlow, EntitiesOptions
from .miot_flow import MiotFlow, MiotOptions
from .reference_flow import ReferenceFlow
from .transport import TRANSPORTS, transport_of
from .tuya_flow import TuyaFlow, TuyaOptions

# Before the entry has loaded there are no capabilities to read: the reference device's ranges.
_FALLBACK_MINUTES = LevelRange(minimum=1, maximum=30)
_FALLBACK_INTENSITY = LevelRange(minimum=1, maximum=10)


class SmartMassagerConfigFlow(EntitiesFlow, TuyaFlow, MiotFlow, ReferenceFlow, domain=DOMAIN):
    """Add a massager of any family: the menu, then that family's steps."""

    VERSION = 1
    MINOR_VERSION = 3

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Which kind of massager: built from existing entities, or one on the network."""
        return self.async_show_menu(
            step_id="user",
            menu_options=[step for row in TRANSPORTS.values() for step in row.add_steps],
        )

    async def _async_step(self, step: str, user_input: dict[str, Any] | None) -> ConfigFlowResult:
        handler = getattr(self, f"async_step_{step}")
        result: ConfigFlowResult = await handler(user_input)
        return result

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The device refused the entry's credentials: its family's way to renew them."""
        row = transport_of(entry_data)
        step = row.reauth_step if row is not None else None
        if step is None:
            return self.async_abort(reason="reauth_not_supported")
        return await self._async_step(step, None)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A new address for the same massager (a different one is refused), by its family."""
        row = transport_of(self._get_reconfigure_entry().data)
        step = row.reconfigure_step if row is not None else None
        if step is None:
            # A massager built from entities has no address: its entities are its options.
            return self.async_abort(reason="reconfigure_in_options")
        return await self._async_step(step, user_input)

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: MassagerConfigEntry) -> MassagerOptionsFlow:
        """Options: session defaults and voice sentences, and what the family adds."""
        return MassagerOptionsFlow()


class MassagerOptionsFlow(EntitiesOptions, TuyaOptions, MiotOptions):
    """Default session length and intensity; whether to install voice sentences."""

    def _family_steps(self) -> tuple[str, ...]:
        row = transport_of(self.config_entry.data)
        return row.options_steps if row is not None else ()

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Session defaults; a family with options of its own offers them beside."""
        if steps := self._family_steps():
            return self.async_show_menu(step_id="init", menu_options=["defaults", *steps])
        return await self.async_step_defaults(user_input)

    async def async_step_defaults(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One form; ranges and steps from the device when it is loaded."""
        entry: MassagerConfigEntry = self.config_entry
        minutes, intensity = _FALLBACK_MINUTES, _FALLBACK_INTENSITY
        minutes_default = 15
        if (runtime := getattr(entry, "runtime_data", None)) is not None:
            caps = runtime.info.capabilities
            minutes, intensity = caps.session_minutes, caps.intensity
            minutes_default = caps.default_minutes
        levels = {CONF_DEFAULT_MINUTES: minutes}
        if intensity is not None:  # a massager without levels has no default intensity
            levels[CONF_DEFAULT_INTENSITY] = intensity
        errors: dict[str, str] = {}
        if user_input is not None:
            data = dict(user_input)
            for key, allowed in levels.items():
                # The selector's min and max are checked before this step runs; its step is a
                # hint to the frontend only, so 15.5 minutes or level 4 of 1-3-5 arrive here.
                value = user_input[key]
                if not float(value).is_integer():
                    errors[key] = "not_whole_number"
                elif (level := int(value)) not in allowed:
                    errors[key] = "not_a_level"
                else:
                    data[key] = level
            if not errors:
                return self.async_create_entry(data={**entry.options, **data})
        options = entry.options
        fields: dict[Any, Any] = {
            vol.Required(
                CONF_DEFAULT_MINUTES, default=options.get(CONF_DEFAULT_MINUTES, minutes_default)
            ): NumberSelector(
                NumberSelectorConfig(
                    min=minutes.minimum,
                    max=minutes.maximum,
                    step=minutes.step,
                    mode=NumberSelectorMode.BOX,
                    unit_of_measurement="min",
                )
            )
        }
        if intensity is not None:
            level_default = intensity.clamp((intensity.minimum + intensity.maximum) // 2)
            fields[
                vol.Required(
                    CONF_DEFAULT_INTENSITY,
                    default=options.get(CONF_DEFAULT_INTENSITY, level_default),
                )
            ] = NumberSelector(
                NumberSelectorConfig(
                    min=intensity.minimum,
                    max=intensity.maximum,
                    step=intensity.step,
                    mode=NumberSelectorMode.SLIDER,
                )
            )
        fields[
            vol.Required(CONF_INSTALL_SENTENCES, default=options.get(CONF_INSTALL_SENTENCES, True))
        ] = BooleanSelector()
        return self.async_show_form(
            # Under a menu it is its own step; alone, it is the options' first.
            step_id="defaults" if self._family_steps() else "init",
            data_schema=self.add_suggested_values_to_schema(vol.Schema(fields), user_input),
            errors=errors,
        )
