"""The component's texts: one source (strings.json), and a word for every id a user can meet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pysmartmassager.tuya import CategoryMap, category_keys, shipped_maps

COMPONENT = Path(__file__).parents[2] / "custom_components/smart_massager"
STRINGS: dict[str, Any] = json.loads((COMPONENT / "strings.json").read_text())
ENTITY = STRINGS["entity"]
MAPS = shipped_maps()


def test_the_english_translation_is_strings_json() -> None:
    # Home Assistant reads translations/en.json; strings.json is what is edited. Kept equal here
    # (byte for byte) instead of generated, so the shipped file is the one reviewed.
    assert (COMPONENT / "translations/en.json").read_bytes() == (
        COMPONENT / "strings.json"
    ).read_bytes()


def test_the_fan_presets_say_the_programs_as_the_select_does() -> None:
    presets = ENTITY["fan"]["massage"]["state_attributes"]["preset_mode"]["state"]
    assert presets == ENTITY["select"]["program"]["state"]


def _on_values(category_map: CategoryMap, code: str | None) -> set[str]:
    if code is None:
        return set()
    off = category_map.off_values.get(code)
    return {value for value in category_map.datapoints[code].enum_range if value != off}


@pytest.mark.parametrize("key", sorted(MAPS))
def test_every_program_and_zone_of_a_shipped_tuya_map_is_said_in_words(key: str) -> None:
    category_map = MAPS[key]
    programs = set().union(*(_on_values(category_map, c) for c in category_map.roles.programs))
    zones = _on_values(category_map, category_map.roles.zone)
    assert programs - set(ENTITY["select"]["program"]["state"]) == set()
    assert zones - set(ENTITY["select"]["zone"]["state"]) == set()


@pytest.mark.parametrize("key", sorted(MAPS))
def test_every_datapoint_the_by_hand_form_asks_for_has_a_label(key: str) -> None:
    labels = STRINGS["config"]["step"]["tuya_datapoints"]["data"]
    assert set(MAPS[key].roles.codes()) - set(labels) == set()


def test_every_kind_of_tuya_massager_offered_has_a_name() -> None:
    assert set(category_keys()) == set(STRINGS["selector"]["datapoint_map"]["options"])


def _leaves(tree: dict[str, Any], path: str = "") -> set[str]:
    found: set[str] = set()
    for key, value in tree.items():
        found |= _leaves(value, f"{path}.{key}") if isinstance(value, dict) else {f"{path}.{key}"}
    return found


def test_the_german_states_translate_every_english_one_and_nothing_else() -> None:
    # German holds the states a dashboard and the activity log show (entity names stay English:
    # a translated name would change the entity ids of a German instance). Home Assistant falls
    # back to English for any other key.
    german = json.loads((COMPONENT / "translations/de.json").read_text())
    english_states = {leaf for leaf in _leaves(STRINGS["entity"]) if ".state." in leaf}
    assert _leaves(german["entity"]) == english_states
