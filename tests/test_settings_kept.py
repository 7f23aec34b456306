"""A settings file that cannot be read is kept, never written over with the defaults;
one that cannot be written is said, with the path and why."""

from __future__ import annotations

import json

import pytest

from app.core.settings import (
    AppSettings, SettingsNotSavedError, load_settings, load_settings_or_defaults, save_settings, settings_path,
)

USERS_FILE = '{"threshold": 0.6, "write_into_jpeg": false,, "saved_searches": [["Rome trip", "folder:Rome"]]}'


def write_damaged_file() -> None:
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(USERS_FILE, encoding="utf-8")


def kept_copies() -> list:
    return sorted(settings_path().parent.glob("settings.json.unreadable-*"))


def test_a_damaged_file_is_kept_aside_and_the_message_names_the_copy() -> None:
    write_damaged_file()
    settings, problem = load_settings_or_defaults()
    assert settings == AppSettings()
    [kept] = kept_copies()
    assert kept.read_text(encoding="utf-8") == USERS_FILE
    assert not settings_path().exists()
    assert kept.name in problem and "started with the defaults" in problem and "line 1" in problem


def test_saving_never_writes_over_a_file_that_cannot_be_read() -> None:
    write_damaged_file()  # damaged while the app runs (a hand edit), after it read the file
    said = []
    save_settings(AppSettings(oldest_first=True), on_set_aside=said.append)
    [kept] = kept_copies()
    assert kept.read_text(encoding="utf-8") == USERS_FILE
    assert load_settings().oldest_first
    assert len(said) == 1 and kept.name in said[0] and str(settings_path()) in said[0]


def test_nothing_is_said_when_the_file_on_disk_reads() -> None:
    said = []
    save_settings(AppSettings(threshold=0.5), on_set_aside=said.append)
    save_settings(AppSettings(threshold=0.7), on_set_aside=said.append)
    assert said == [] and kept_copies() == []


def test_a_readable_file_is_written_over_as_before() -> None:
    save_settings(AppSettings(threshold=0.5))
    save_settings(AppSettings(threshold=0.7))
    assert kept_copies() == [] and json.loads(settings_path().read_text())["threshold"] == 0.7


def test_a_file_that_cannot_be_written_names_its_path_and_the_reason() -> None:
    settings_path().mkdir(parents=True)  # a real refusal of the disk, even for root
    with pytest.raises(SettingsNotSavedError) as caught:
        save_settings(AppSettings(oldest_first=True))
    reason = caught.value.__cause__.strerror  # "Is a directory" (Linux), "Access is denied" (Windows)
    assert str(settings_path()) in str(caught.value) and reason in str(caught.value)
    assert list(settings_path().parent.glob(".settings-*")) == []  # no temp file left


def test_one_bad_saved_search_is_left_out_alone_and_the_file_is_copied_first() -> None:
    users_file = json.dumps({"threshold": 0.6, "saved_searches": [
        ["Rome trip", "folder:Rome"], ["Todo", ""], ["Best of Petra", "label:Petra score>0.9"]]})
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(users_file, encoding="utf-8")
    settings, problem = load_settings_or_defaults()
    assert settings.saved_searches == (("Rome trip", "folder:Rome"), ("Best of Petra", "label:Petra score>0.9"))
    assert settings.threshold == 0.6
    [kept] = kept_copies()
    assert kept.read_text(encoding="utf-8") == users_file
    assert "['Todo', '']" in problem and kept.name in problem
    save_settings(settings)  # as the app does at close: the copy stays, the good searches too
    assert kept_copies() == [kept] and load_settings().saved_searches == settings.saved_searches


def test_a_file_whose_values_all_read_is_not_copied() -> None:
    save_settings(AppSettings(threshold=0.6, saved_searches=(("Rome trip", "folder:Rome"),)))
    assert load_settings_or_defaults()[1] is None and kept_copies() == []
