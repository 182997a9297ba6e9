"""Voice control's languages: each is one module, found by itself, saying all English says.

A language module that lacks a sentence, an answer or a name would make voice control fall
silent or fall back to English in that language only; these tests catch it before Assist does.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from custom_components.smart_massager import languages
from custom_components.smart_massager.languages import DEFAULT, LANGUAGES, language_of

HERE = Path(languages.__file__).parent
KNOWN = json.loads((HERE.parent / "strings.json").read_text(encoding="utf-8"))["entity"]["select"]


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_language_says_all_that_english_says(code: str) -> None:
    words = LANGUAGES[code]
    assert words.code == code
    assert set(words.sentences) == set(DEFAULT.sentences)
    assert set(words.responses) == set(DEFAULT.responses)
    # Names only for ids the integration knows (a typo would name nothing and go unnoticed).
    assert set(words.program_names) <= set(KNOWN["program"]["state"])
    assert set(words.zone_names) <= {*KNOWN["zone"]["state"], *DEFAULT.level_zone_words}
    assert set(words.level_zone_words) == set(DEFAULT.level_zone_words)
    assert set(words.routine_names) == set(DEFAULT.routine_names) == set(words.routine_aliases)
    # Every placeholder an English answer fills, the translation has too ({name}, {minutes}).
    for key, text in DEFAULT.responses.items():
        for slot in ("{name}", "{minutes}", "{program}", "{zone}", "{level}", "{routine}"):
            assert (slot in text) == (slot in words.responses[key]), (code, key, slot)


def test_a_request_in_a_regional_or_unknown_language() -> None:
    assert language_of("de-CH") is LANGUAGES["de"]
    assert language_of("EN-gb") is DEFAULT
    assert language_of("fr") is DEFAULT  # not spoken here: answered in English


def test_a_third_language_is_one_new_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of en.py under another code is found, with nothing else changed."""
    shutil.copy(HERE / "en.py", tmp_path / "xx.py")
    monkeypatch.setattr(languages, "__path__", [str(HERE), str(tmp_path)])
    found = languages._found()  # the discovery itself is under test
    assert set(found) == {*LANGUAGES, "xx"}
    assert found["xx"].code == "xx"
    assert found["xx"].responses == DEFAULT.responses


def test_a_language_file_missing_a_part_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (HERE / "en.py").read_text(encoding="utf-8")
    (tmp_path / "yy.py").write_text(source.replace("\nRESPONSES:", "\nANSWERS:"), "utf-8")
    monkeypatch.setattr(languages, "__path__", [str(HERE), str(tmp_path)])
    with pytest.raises(TypeError, match=r"yy\.py lacks RESPONSES"):
        languages._found()
