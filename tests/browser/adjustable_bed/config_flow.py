"""Only an import flow: the stand-in is set up from YAML."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult


class BedFlow(ConfigFlow, domain="adjustable_bed"):
    """Creates the one entry."""

    async def async_step_import(self, _data: dict[str, Any] | None = None) -> ConfigFlowResult:
        """From configuration.yaml."""
        return self.async_create_entry(title="Bedroom bed", data={})
