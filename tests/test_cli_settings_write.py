"""`landmark-tagger write` writes as chosen in the app's Settings (sidecar naming, JPEGs
written into or not) when its options do not say otherwise, as the app's Write does: a
user who chose "never write into my JPEGs" gets the same from a terminal or cron."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.settings import AppSettings, load_settings, save_settings, settings_path
from app.core.write_choice import write_choice
from tests.test_metadata_support import add_photo, make_jpeg


@pytest.fixture
def labelled_jpeg(tmp_path) -> tuple[Path, Path]:
    """The index and DSC_0001.jpg in it with an accepted label."""
    (tmp_path / "trip").mkdir()
    photo = make_jpeg(tmp_path / "trip" / "DSC_0001.jpg")
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        add_photo(index, [photo], "Château d'If")
    return db, photo


def chosen_in_settings(**values) -> None:
    """What Settings… OK saves when the user makes these choices."""
    save_settings(replace(load_settings(), **values))


def test_settings_no_jpeg_leaves_the_jpeg_untouched_and_writes_a_sidecar(labelled_jpeg, capsys):
    db, photo = labelled_jpeg
    chosen_in_settings(write_into_jpeg=False)
    before = photo.read_bytes()
    assert main(["--db", str(db), "write"]) == 0
    assert photo.read_bytes() == before
    assert "Château d'If" in (photo.parent / "DSC_0001.jpg.xmp").read_text(encoding="utf-8")
    assert "JPEGs left untouched (sidecars for them) as chosen in the app's Settings" in capsys.readouterr().err


def test_settings_stem_naming_gives_lightrooms_sidecar_name(labelled_jpeg, capsys):
    db, photo = labelled_jpeg
    chosen_in_settings(write_into_jpeg=False, sidecar_naming="stem")
    before = photo.read_bytes()
    assert main(["--db", str(db), "write"]) == 0
    assert photo.read_bytes() == before
    assert "Château d'If" in (photo.parent / "DSC_0001.xmp").read_text(encoding="utf-8")
    assert not (photo.parent / "DSC_0001.jpg.xmp").exists()
    assert "stem sidecars (DSC_0001.xmp)" in capsys.readouterr().err


def test_jpeg_option_writes_into_the_jpeg_whatever_settings_say(labelled_jpeg, capsys):
    db, photo = labelled_jpeg
    chosen_in_settings(write_into_jpeg=False)
    before = photo.read_bytes()
    assert main(["--db", str(db), "write", "--jpeg"]) == 0
    assert photo.read_bytes() != before
    assert not list(photo.parent.glob("*.xmp"))
    assert "Settings" not in capsys.readouterr().err  # nothing came from them


def test_unreadable_settings_are_named_and_jpegs_left_untouched(labelled_jpeg, capsys):
    """The damaged file may have said "never write into my JPEGs": an unknown choice
    must not rewrite originals, so the labels go into a sidecar until it is readable."""
    db, photo = labelled_jpeg
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    before = photo.read_bytes()
    assert main(["--db", str(db), "write"]) == 0
    err = capsys.readouterr().err
    assert f"cannot read settings {path}" in err and "JPEGs left untouched" in err and "--jpeg" in err
    assert photo.read_bytes() == before and [p.name for p in photo.parent.glob("*.xmp")] == ["DSC_0001.jpg.xmp"]
    assert path.read_text(encoding="utf-8") == "{not json"  # left for the app to set aside


def test_given_values_win_over_settings_and_defaults_say_nothing():
    settings = AppSettings(sidecar_naming="stem", write_into_jpeg=False)
    given = write_choice("ext", True, settings)
    assert (given.sidecar_naming, given.write_into_jpeg, given.line()) == ("ext", True, "")
    chosen = write_choice(None, None, settings)
    assert (chosen.sidecar_naming, chosen.write_into_jpeg) == ("stem", False)
    assert write_choice(None, None, AppSettings()).line() == ""


def test_the_apps_write_options_follow_the_same_rule():
    from app.gui.job_work import write_options

    options = write_options(AppSettings(sidecar_naming="stem", write_into_jpeg=False))
    assert (options.sidecar_naming, options.write_into_jpeg) == ("stem", False)
