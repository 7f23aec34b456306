"""The CLI uses the model and threshold chosen in the app's Settings when --model and
--threshold are not given, as the app's jobs do, so the two never relabel each other's photos."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.settings import AppSettings, load_settings, save_settings
from model.bundle import default_bundle_path


@pytest.fixture
def folder(tmp_path) -> Path:
    trip = tmp_path / "Rome 2020"
    trip.mkdir()
    for i in range(3):
        rng = np.random.default_rng(i)
        Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)).resize((320, 240)).save(trip / f"IMG_{i}.jpg")
    return trip


@pytest.fixture
def chosen_in_settings(tiny_bundle):
    """What Settings… OK saves when the user picks the tiny bundle and threshold 0.9999."""
    save_settings(replace(load_settings(), model_bundle=str(tiny_bundle.path), threshold=0.9999))
    return tiny_bundle


def stored_models(db: Path) -> set[str]:
    with PhotoIndex.open(db) as index:
        return {row[0] for row in index.conn.execute("SELECT model_id FROM labels")}


def test_tag_uses_the_settings_model_and_threshold_and_says_so(tmp_path, folder, chosen_in_settings, capsys):
    db = tmp_path / "index.db"
    code = main(["--db", str(db), "tag", str(folder), "--workers", "0", "--json"])
    captured = capsys.readouterr()
    assert code == 0
    assert stored_models(db) == {chosen_in_settings.id}
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [line["label"] for line in lines] == [None, None, None]  # under 0.9999: no landmark, as in the app
    assert "model" in captured.err and "threshold 0.9999 chosen in the app's Settings" in captured.err


def test_the_app_and_the_cli_then_agree_nothing_is_relabelled(tmp_path, folder, chosen_in_settings, capsys):
    from app.core.tagging import tag
    from app.gui.job_work import tag_options

    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        tag(index, [folder], replace(tag_options(load_settings()), workers=0))
    capsys.readouterr()
    assert main(["--db", str(db), "tag", str(folder), "--workers", "0"]) == 0
    err = capsys.readouterr().err
    assert "tagged 0 photos, 3 already up to date" in err and "relabelled" not in err
    assert stored_models(db) == {chosen_in_settings.id}


def test_given_model_and_threshold_win_over_settings(tiny_bundle):
    from app.core.model_choice import model_choice

    settings = AppSettings(model_bundle="/elsewhere/chosen.ltbundle", threshold=0.99)
    given = model_choice(Path(tiny_bundle.path), 0.5, settings)
    assert (given.model, given.threshold, given.line()) == (Path(tiny_bundle.path), 0.5, "")
    chosen = model_choice(None, None, settings)
    assert (chosen.model, chosen.threshold) == (Path("/elsewhere/chosen.ltbundle"), 0.99)
    assert model_choice(None, None, AppSettings()).model is None  # the default bundle


def test_models_marks_the_bundle_chosen_in_settings(chosen_in_settings, capsys):
    assert main(["models", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    in_use = [Path(row["path"]).resolve() for row in rows if row["in_use"]]
    assert in_use == [Path(chosen_in_settings.path).resolve()]
    assert any(Path(row["path"]).resolve() == default_bundle_path().resolve() and not row["in_use"] for row in rows)


def test_a_threshold_chosen_in_settings_stays_with_the_settings_model(tmp_path, folder, tiny_bundle, capsys):
    """Settings: the default bundle at 0.9999. `tag --model tiny` uses the tiny bundle's own
    threshold (0.0: every photo labelled), not a figure chosen for another network."""
    save_settings(replace(load_settings(), model_bundle=None, threshold=0.9999))
    code = main(["--db", str(tmp_path / "index.db"), "tag", str(folder), "--workers", "0", "--json",
                 "--model", str(tiny_bundle.path)])
    captured = capsys.readouterr()
    assert code == 0
    assert all(json.loads(line)["label"] is not None for line in captured.out.splitlines())
    assert "chosen in the app's Settings" not in captured.err


def test_the_settings_threshold_follows_its_model_whichever_way_it_is_named(tiny_bundle):
    from app.core.model_choice import model_choice

    tiny = Path(tiny_bundle.path)
    assert model_choice(tiny, None, AppSettings(model_bundle=str(tiny), threshold=0.99)).threshold == 0.99
    assert model_choice(default_bundle_path(), None, AppSettings(threshold=0.99)).threshold == 0.99
    other = model_choice(tiny, None, AppSettings(threshold=0.99))
    assert (other.threshold, other.threshold_from_settings) == (None, False)  # the tiny bundle's own
    assert model_choice(None, None, AppSettings(model_bundle=str(tiny), threshold=0.99)).threshold == 0.99


@pytest.fixture
def settings_model_gone(tmp_path):
    gone = tmp_path / "moved_away.ltbundle"
    save_settings(replace(load_settings(), model_bundle=str(gone), threshold=0.5))
    return gone


def test_tag_with_the_settings_model_gone_says_so_once_and_how_to_choose(tmp_path, folder, settings_model_gone,
                                                                         capsys):
    code = main(["--db", str(tmp_path / "index.db"), "tag", str(folder), "--workers", "0"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count(str(settings_model_gone)) == 1
    assert "the model chosen in the app's Settings" in err and "is gone" in err and "--model" in err
    assert "using the model" not in err and "check the path" not in err


def test_label_with_the_settings_model_gone_says_none_is_used(tmp_path, folder, tiny_bundle, settings_model_gone,
                                                              capsys):
    db = str(tmp_path / "index.db")
    assert main(["--db", db, "tag", str(folder), "--workers", "0", "--model", str(tiny_bundle.path)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "label", "IMG_0", "Our cabin"]) == 0
    err = capsys.readouterr().err
    assert "using the model" not in err
    assert f"the model chosen in the app's Settings, {settings_model_gone}, is gone" in err
    with PhotoIndex.open(Path(db)) as index:
        assert "Our cabin" in {row[0] for row in index.conn.execute("SELECT label FROM labels")}
