"""What every transport's config-flow steps share: the one flow error and safe placeholders."""

from __future__ import annotations

import probatio as vol

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
