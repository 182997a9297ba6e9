"""Repair issues this integration raises: what needs the user's eyes, in their language."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


def raise_issue(
    hass: HomeAssistant,
    issue_id: str,
    translation_key: str,
    *,
    severity: ir.IssueSeverity = ir.IssueSeverity.ERROR,
    **placeholders: str,
) -> None:
    """Raise (or refresh) one issue; none is fixable from the card, each says what to do."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=severity,
        translation_key=translation_key,
        translation_placeholders=placeholders,
    )
