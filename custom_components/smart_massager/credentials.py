"""Evidence against devices' credentials (Tuya local keys, miio tokens), kept per Home Assistant.

Home Assistant builds a new massager at every set-up retry, and the evidence that a key changed
must outlive each one, but not the Home Assistant instance (a test's, or a restart): one
`CredentialDoubts` per family lives in hass.data, and each family's builder passes it on.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from pysmartmassager.credential_doubts import CredentialDoubts

from .const import DOMAIN

DOUBTS: HassKey[dict[str, CredentialDoubts]] = HassKey(f"{DOMAIN}_credential_doubts")


def credential_doubts(hass: HomeAssistant, family: str) -> CredentialDoubts:
    """The doubts about the credentials of `family`'s devices (by device id)."""
    return hass.data.setdefault(DOUBTS, {}).setdefault(family, CredentialDoubts())
