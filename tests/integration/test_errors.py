"""Library errors become translated Home Assistant errors that name what is allowed."""

from __future__ import annotations

import pytest
from homeassistant.exceptions import ServiceValidationError

from custom_components.smart_massager.errors import allowed_text, translate_error
from pysmartmassager import (
    MassagerConnectionError,
    MassagerError,
    MassagerInvalidRequestError,
    MassagerResponseError,
)


@pytest.mark.parametrize(
    ("allowed", "text"),
    [
        ({"min": 1, "max": 10, "step": 1}, "1-10"),
        (["shoulders", "lower_back"], "shoulders, lower_back"),
        (None, "-"),
    ],
)
def test_allowed_text(allowed: object, text: str) -> None:
    assert allowed_text(allowed) == text


def test_invalid_request_is_a_validation_error_naming_allowed_values() -> None:
    err = translate_error(
        MassagerInvalidRequestError(
            "zone 'spine' is not one of this massager's",
            code="unknown_zone",
            field="zone",
            allowed=["shoulders", "upper_back"],
        )
    )
    assert isinstance(err, ServiceValidationError)
    assert err.translation_key == "invalid_request"
    assert err.translation_placeholders == {
        "message": "zone 'spine' is not one of this massager's",
        "allowed": "shoulders, upper_back",
    }


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (MassagerConnectionError("down"), "communication_error"),
        (MassagerResponseError("garbage"), "unexpected_response"),
        (MassagerError("other"), "unexpected_response"),
    ],
)
def test_device_failures(error: MassagerError, key: str) -> None:
    err = translate_error(error)
    assert not isinstance(err, ServiceValidationError)
    assert err.translation_key == key
