"""`teach NAME …` and `rename OLD NEW` check a typed name as `label` does (app.cli.landmark_names):
a word the app uses for a state ("no landmark", "none") made a place called so, and a typo of a
known landmark ("Colloseum", "Our cabn") a second place, or for rename, no merge into the one
meant; --new takes the name as typed."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from app.cli.main import main
from app.core.index import PhotoIndex
from app.core.teaching_store import taught_labels
from tests.test_index import add_photo


def _photo(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(sum(map(ord, path.name))).integers(0, 255, size=(40, 56, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path)
    return str(path)


def _taught(db) -> dict[str, int]:
    with PhotoIndex.open(db) as index:
        return taught_labels(index.conn)


@pytest.mark.parametrize("name", ["no landmark", "(No Landmark)", "none", "Rejected"])
def test_teach_refuses_a_word_the_app_uses_for_a_state(tmp_path, capsys, name) -> None:
    db = tmp_path / "index.db"
    photo = _photo(tmp_path / "photos" / "DSC_0412.JPG")
    assert main(["--db", str(db), "teach", name, photo]) == 2
    err = capsys.readouterr().err
    assert f"{name!r} is no landmark name" in err and "reject QUERY` marks a wrong label" in err
    assert ("label QUERY --no-landmark` labels the photos that show none" in err) == (name != "Rejected")
    assert ("give --new if a place is called" in err) == (name.strip("()").lower() != "no landmark")
    assert not db.exists()  # refused before anything was made


def test_teach_names_a_typo_of_a_known_landmark_and_new_teaches_it_as_typed(tmp_path, capsys, tiny_bundle) -> None:
    db, model = str(tmp_path / "index.db"), str(tiny_bundle.path)
    photo = _photo(tmp_path / "photos" / "DSC_0412.JPG")
    assert main(["--db", db, "teach", "Colloseum", photo, "--model", model]) == 1  # the model's "Colosseum"
    assert capsys.readouterr().err == ("teach: no landmark named 'Colloseum'; did you mean 'Colosseum'? "
                                       "(give --new to teach 'Colloseum' as a new landmark)\n")
    assert not (tmp_path / "index.db").exists()  # no index made for the question
    assert main(["--db", db, "teach", "Our cabin", photo, "--model", model]) == 0
    other = _photo(tmp_path / "photos" / "DSC_0418.JPG")
    assert main(["--db", db, "teach", "Our cabn", other, "--model", model]) == 1  # the library's own place
    assert "did you mean 'Our cabin'?" in capsys.readouterr().err
    assert _taught(db) == {"Our cabin": 1}
    assert main(["--db", db, "teach", "our cabin", other, "--model", model]) == 0  # the same place, any case
    colloseum, none = (_photo(tmp_path / "photos" / name) for name in ("DSC_0420.JPG", "DSC_0421.JPG"))
    assert main(["--db", db, "teach", "Colloseum", colloseum, "--model", model, "--new"]) == 0
    assert main(["--db", db, "teach", "none", none, "--model", model, "--new"]) == 0  # a town is called None
    assert main(["--db", db, "teach", "no landmark", none, "--model", model, "--new"]) == 2
    assert _taught(db) == {"Our cabin": 2, "Colloseum": 1, "none": 1}


@pytest.fixture
def places(tmp_path):
    """An index with photos labelled "Our cabbin", "Our cabin" and "Fjord hut"."""
    db = tmp_path / "index.db"
    with PhotoIndex.open(db) as index:
        for n, label in enumerate(["Fjord hut", "Our cabbin", "Our cabin"]):
            photo_id = add_photo(index, "/lib/Greenland", f"DSC_{n:04d}")
            index.set_label(photo_id, label, source="user", state="accepted")
    return str(db)


def _labels(db) -> list[str]:
    with PhotoIndex.open(db) as index:
        return index.known_labels()


def test_rename_into_a_name_close_to_another_place_is_asked_as_a_likely_merge(places, capsys) -> None:
    assert main(["--db", places, "rename", "Fjord hut", "Our cabn"]) == 1
    assert capsys.readouterr().err == (
        "rename: 'Our cabn' is close to 'Our cabin'; rename merges into an existing name only "
        "when it is typed exactly (give --new to rename 'Fjord hut' to 'Our cabn' as typed)\n")
    assert _labels(places) == ["Fjord hut", "Our cabbin", "Our cabin"]
    assert main(["--db", places, "rename", "Fjord hut", "Our cabn", "--new"]) == 0
    assert _labels(places) == ["Our cabbin", "Our cabin", "Our cabn"]


def test_rename_to_an_existing_name_typed_exactly_merges_and_the_old_name_is_no_near_name(places, capsys) -> None:
    assert main(["--db", places, "rename", "Our cabbin", "Our cabin"]) == 0  # exact: the merge asked for
    assert "merged 'Our cabbin' into 'Our cabin'" in capsys.readouterr().err
    assert main(["--db", places, "rename", "Our cabin", "Our cabinn"]) == 0  # close only to itself
    assert _labels(places) == ["Fjord hut", "Our cabinn"]


def test_rename_refuses_a_word_the_app_uses_for_a_state(places, capsys) -> None:
    assert main(["--db", places, "rename", "Fjord hut", "no landmark"]) == 2
    err = capsys.readouterr().err
    assert "'no landmark' is no landmark name" in err and "label QUERY --no-landmark`" in err
    assert main(["--db", places, "rename", "Fjord hut", "none"]) == 2
    assert "give --new if a place is called 'none'" in capsys.readouterr().err
    assert main(["--db", places, "rename", "Fjord hut", "no landmark", "--new"]) == 2
    assert _labels(places) == ["Fjord hut", "Our cabbin", "Our cabin"]
    assert main(["--db", places, "rename", "Fjord hut", "None", "--new"]) == 0
    assert _labels(places) == ["None", "Our cabbin", "Our cabin"]


@pytest.mark.parametrize("command", ["teach", "rename"])
def test_help_says_new_takes_the_name_as_typed(capsys, command) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "--new" in out and ("Colloseum" in out or "Our cabn" in out)


def test_rename_of_a_mistyped_old_name_names_the_place_meant(places, capsys, tiny_bundle) -> None:
    assert main(["--db", places, "rename", "Fjord hat", "Fjord cabin"]) == 2
    err = capsys.readouterr().err
    assert "no photo or taught place is called 'Fjord hat'; did you mean 'Fjord hut'?" in err
    assert main(["--db", places, "rename", "Our cabinn", "Cabin"]) == 2
    assert "did you mean 'Our cabin' or 'Our cabbin'?" in capsys.readouterr().err
    assert main(["--db", places, "rename", "Nowhere at all", "Cabin"]) == 2
    assert "did you mean" not in capsys.readouterr().err
    with PhotoIndex.open(places) as index:
        index.set_label(add_photo(index, "/lib/Rome", "DSC_0100"), "Colosseum", source="user", state="accepted")
    model = str(tiny_bundle.path)  # the model's own names cannot be renamed: never offered
    assert main(["--db", places, "rename", "Colloseum", "Arena", "--model", model]) == 2
    assert "did you mean" not in capsys.readouterr().err
    assert _labels(places) == ["Colosseum", "Fjord hut", "Our cabbin", "Our cabin"]
