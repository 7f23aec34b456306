"""The GUI's settings round-trip through JSON in the data folder and survive bad files."""

from __future__ import annotations

import json

import pytest

from app.core.config import data_dir
from app.core.errors import UsageError
from app.core.settings import AppSettings, load_settings, save_settings, settings_path


def test_defaults_when_no_file_exists() -> None:
    assert not settings_path().exists()
    assert load_settings() == AppSettings()


def test_saved_settings_load_back_from_the_data_folder() -> None:
    chosen = AppSettings(model_bundle="/models/a.ltbundle", threshold=0.42, sidecar_naming="stem", write_into_jpeg=False,
                         check_folders_at_start=False)
    path = save_settings(chosen)
    assert path == data_dir() / "settings.json"
    assert load_settings() == chosen
    assert json.loads(path.read_text())["sidecar_naming"] == "stem"


def test_invalid_values_are_refused_on_save() -> None:
    with pytest.raises(UsageError, match="sidecar naming 'both'"):
        save_settings(AppSettings(sidecar_naming="both"))
    with pytest.raises(UsageError, match="threshold 1.5"):
        save_settings(AppSettings(threshold=1.5))
    assert not settings_path().exists()


def test_a_hand_edited_bad_value_falls_back_to_its_default_only() -> None:
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps({"threshold": "high", "sidecar_naming": "stem", "unknown": 1}))
    loaded = load_settings()
    assert loaded.threshold is None
    assert loaded.sidecar_naming == "stem"


def test_an_unparsable_file_names_itself_in_the_error() -> None:
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text("{not json")
    with pytest.raises(UsageError, match="settings.json"):
        load_settings()


@pytest.mark.parametrize("bound", [0.0, 1.0])
def test_the_bounds_of_the_threshold_are_in_range(bound: float) -> None:
    """0 and 1 are in the documented range (1.0 keeps only a saturated score): saved, and
    read back from a hand-edited file, not refused or left out."""
    save_settings(AppSettings(threshold=bound))
    assert load_settings().threshold == bound
    settings_path().write_text(json.dumps({"threshold": int(bound)}))
    assert load_settings().threshold == bound
