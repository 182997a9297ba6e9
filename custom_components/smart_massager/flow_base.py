"""What every family's config-flow steps share.

The one flow error, safe placeholders, and the reauth and reconfigure steps that differ between
families only in what they check.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlowWithReload
from homeassistant.const import CONF_HOST

from pysmartmassager.decoding import clean_markup

BASE = "base"


class FlowError(Exception):
    """A check in a flow step failed: `key` is the translated error, `field` where it is shown.

    Every transport's checks raise this and each step catches it once, with `errors_for`: an
    error whose field the form does not have is shown on the form as a whole.
    """

    def __init__(self, key: str, field: str = BASE) -> None:
        super().__init__(key)
        self.key = key
        self.field = field


def errors_for(err: FlowError, schema: vol.Schema | None = None) -> dict[str, str]:
    """The form's errors for `err`: on its field if the form has that field, else on the form."""
    fields = {str(key) for key in schema.schema} if schema is not None else set()
    return {err.field if err.field in fields else BASE: err.key}


def shown(placeholders: dict[str, str]) -> dict[str, str]:
    """Placeholders fit for a form's Markdown, each cleaned and its syntax escaped.

    Names from a device (a MIoT model, a device's own name, a title made of it) neither break
    the line nor make a link.
    """
    return {key: clean_markup(value) for key, value in placeholders.items()}


HOST_SCHEMA = vol.Schema({vol.Required(CONF_HOST): str})
"""A new address: the host, with a port typed after it where the family's is not the usual."""

type Updates = dict[str, Any]


class FamilyFlow(ConfigFlow):
    """The base of every family's flow mixin."""

    async def _async_renew(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        schema: vol.Schema,
        updates_for: Callable[[dict[str, Any]], Awaitable[Updates]],
    ) -> ConfigFlowResult:
        """A reauth step: the new credential from `schema`, checked by `updates_for`, stored."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                updates = await updates_for(user_input)
            except FlowError as err:
                errors = errors_for(err, schema)
            else:
                return self.async_update_reload_and_abort(entry, data_updates=updates)
        return self.async_show_form(
            step_id=step_id,
            data_schema=schema,
            errors=errors,
            description_placeholders=shown({"name": entry.title}),
        )

    async def _async_new_host(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        current: str,
        updates_for: Callable[[str], Awaitable[Updates]],
    ) -> ConfigFlowResult:
        """A reconfigure step: a new host (`current` shown first), checked, stored, reloaded.

        `updates_for` must prove the device there is the entry's own (its credential, its id).
        """
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                updates = await updates_for(user_input[CONF_HOST])
            except FlowError as err:
                errors = errors_for(err, HOST_SCHEMA)
            else:
                return self.async_update_reload_and_abort(entry, data_updates=updates)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                HOST_SCHEMA, user_input or {CONF_HOST: current}
            ),
            errors=errors,
        )


type RolesSave = Callable[[dict[str, Any]], Awaitable[tuple[dict[str, Any], dict[str, Any]]]]


class RolesOptions(OptionsFlowWithReload):
    """An options step that says again what a device's parts do: a form, a check, a reload."""

    async def _roles_step(  # the form's four parts and what saving does
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        *,
        schema: vol.Schema,
        current: dict[str, Any],
        placeholders: dict[str, str],
        save: RolesSave,
    ) -> ConfigFlowResult:
        """The form, filled with `current`; saved as `save` says, then reloaded.

        `save` checks the answer (raising FlowError) and returns the entry's new data and options.
        """
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data, options = await save(user_input)
            except FlowError as err:
                errors = errors_for(err, schema)
            else:
                entry = self.config_entry
                self.hass.config_entries.async_update_entry(entry, data=data)
                # The options may stay as they were: the new roles take effect by a reload.
                self.hass.config_entries.async_schedule_reload(entry.entry_id)
                return self.async_create_entry(data=options)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, user_input or current),
            errors=errors,
            description_placeholders=shown(placeholders),
        )
